package io.kvasir.gateway.engine;

import io.kvasir.engine.kv.BlockPool;
import io.kvasir.engine.kv.KvCache;
import io.kvasir.engine.runtime.DecodeLoop;
import io.kvasir.engine.runtime.InferenceEngine;
import io.kvasir.engine.runtime.Sequence;
import io.kvasir.gateway.api.OpenAiException;
import io.kvasir.gateway.backend.BackendLoad;
import io.kvasir.gateway.backend.Generation;
import io.kvasir.gateway.backend.GenerationBackend;
import io.kvasir.gateway.backend.GenerationInput;
import io.kvasir.gateway.backend.GenerationListener;

import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;

/**
 * The single-process backend ({@code ./kvasir up --single-process}, and the reference the disaggregated path is
 * measured against): one prefill thread feeding the engine's temporal-fusion {@link DecodeLoop}, the same loop a
 * decode worker runs. The loop admits memory-aware and, under KV pressure, parks the youngest sequences' KV on the
 * heap ({@link HeapPreemption}) instead of failing them.
 */
public final class EngineBackend implements GenerationBackend, AutoCloseable {

    private static final System.Logger LOG = System.getLogger(EngineBackend.class.getName());

    private final InferenceEngine engine;
    private final DecodeLoop loop;
    private final BlockingQueue<EngineJob> toPrefill;
    private final Thread prefiller;
    private volatile boolean stopped;
    /** Taken from the queue and waiting for KV room, or being prefilled. */
    private volatile EngineJob current;

    /**
     * @param maxBatch   sequences per decode forward
     * @param maxWaiting prompts that may wait for prefill; {@link #submit} answers 429 beyond it
     */
    public EngineBackend(InferenceEngine engine, int maxBatch, int maxWaiting) {
        this.engine = engine;
        this.loop = new DecodeLoop(engine, maxBatch, maxWaiting, new HeapPreemption(engine));
        this.toPrefill = new ArrayBlockingQueue<>(maxWaiting);
        this.prefiller = Thread.ofPlatform().name("kvasir-prefill").daemon().start(this::prefillLoop);
    }

    @Override
    public Generation submit(GenerationInput input, GenerationListener listener) {
        int blocks = blocksFor(input.promptTokens().length + input.params().maxTokens());
        if (blocks > engine.cache().pool().capacity()) {
            throw OpenAiException.invalid("max_tokens", "the prompt and max_tokens need " + blocks
                    + " KV blocks; this server's cache holds " + engine.cache().pool().capacity());
        }
        EngineJob job = new EngineJob(input, listener, loop);
        if (!toPrefill.offer(job)) {
            throw OpenAiException.overloaded("the engine's queue is full; retry shortly", 1);
        }
        return job::cancel;
    }

    @Override
    public BackendLoad load() {
        BlockPool pool = engine.cache().pool();
        int waiting = toPrefill.size() + (current != null ? 1 : 0) + loop.waitingSequences();
        return new BackendLoad(loop.activeSequences(), waiting, 1.0 - (double) pool.freeBlocks() / pool.capacity());
    }

    /** Sequences whose KV was parked on the heap to make room, since start. */
    public long preemptions() {
        return loop.preemptions();
    }

    private static int blocksFor(int tokens) {
        return (tokens + KvCache.BLOCK_TOKENS - 1) / KvCache.BLOCK_TOKENS;
    }

    private void prefillLoop() {
        while (!stopped) {
            try {
                EngineJob job = toPrefill.poll(100, TimeUnit.MILLISECONDS);
                if (job == null || job.isCancelled()) {
                    continue;
                }
                current = job;
                awaitRoom(job);
                if (!stopped && !job.isCancelled()) {
                    prefill(job);
                }
            } catch (InterruptedException e) {
                return;
            } finally {
                current = null;
            }
        }
    }

    /**
     * Waits until the prompt's blocks fit beside one block per active sequence (their next step) and the loop has
     * taken every sequence prefilled before: a prefilled sequence holds its prompt's KV while it waits, so running
     * ahead of the loop would only fill the cache with waiting prompts. With nothing active every block is free,
     * and {@link #submit} refused prompts larger than the cache, so this always ends.
     */
    private void awaitRoom(EngineJob job) {
        int need = blocksFor(job.input().promptTokens().length);
        while (!stopped && !job.isCancelled()) {
            int free = engine.cache().pool().freeBlocks();
            if (loop.waitingSequences() == 0 && free - need >= loop.activeSequences()) {
                return;
            }
            LockSupport.parkNanos(1_000_000);
        }
    }

    private void prefill(EngineJob job) {
        Sequence s = null;
        try {
            s = engine.start(job.input().promptTokens(), job.input().params());
            engine.prefill(s);
        } catch (RuntimeException e) {
            if (s != null) {
                s.cancel();
            }
            LOG.log(System.Logger.Level.WARNING, "prefill of " + job.input().requestId() + " failed: " + e.getMessage());
            job.fail(e instanceof IllegalArgumentException
                    ? OpenAiException.invalid("prompt", e.getMessage())
                    : OpenAiException.internal("prefill failed: " + e.getMessage()));
            return;
        }
        if (!job.attach(s)) {
            s.cancel();                                                   // cancelled while it was prefilled
            return;
        }
        if (!loop.submit(s, job)) {
            s.cancel();
            job.fail(OpenAiException.overloaded("the decode loop's queue is full; retry shortly", 1));
        }
    }

    @Override
    public void close() throws Exception {
        stopped = true;
        prefiller.interrupt();
        prefiller.join(5_000);
        EngineJob job;
        while ((job = toPrefill.poll()) != null) {
            job.fail(OpenAiException.unavailable("the server is shutting down"));
        }
        loop.close();
        engine.close();
    }
}
