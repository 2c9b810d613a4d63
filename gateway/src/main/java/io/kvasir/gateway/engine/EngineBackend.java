package io.kvasir.gateway.engine;

import io.kvasir.engine.kv.BlockPool;
import io.kvasir.engine.kv.KvCache;
import io.kvasir.engine.runtime.InferenceEngine;
import io.kvasir.engine.runtime.Sequence;
import io.kvasir.gateway.api.OpenAiException;
import io.kvasir.gateway.backend.BackendLoad;
import io.kvasir.gateway.backend.Generation;
import io.kvasir.gateway.backend.GenerationBackend;
import io.kvasir.gateway.backend.GenerationInput;
import io.kvasir.gateway.backend.GenerationListener;

import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * The single-process backend: an {@link InferenceEngine} in the gateway's JVM, driven by one loop that admits
 * waiting sequences at iteration boundaries, prefills them, then runs one batched decode step over every active
 * sequence. It serves {@code ./kvasir up --single-process} and is the reference the disaggregated path is
 * measured against. A sequence is admitted only when the KV blocks for its prompt and all its requested tokens
 * are free, so a decode step never runs out of cache.
 */
public final class EngineBackend implements GenerationBackend, AutoCloseable {

    private static final System.Logger LOG = System.getLogger(EngineBackend.class.getName());

    private final InferenceEngine engine;
    private final BlockingQueue<Job> waiting;
    private final int maxBatch;
    private final Thread loop;
    private volatile boolean stopped;
    private volatile int running;
    private int reservedBlocks;
    /** Taken from the queue but not yet admitted, for want of KV blocks. */
    private volatile Job head;

    public EngineBackend(InferenceEngine engine, int maxBatch, int maxWaiting) {
        this.engine = engine;
        this.maxBatch = maxBatch;
        this.waiting = new ArrayBlockingQueue<>(maxWaiting);
        this.loop = Thread.ofPlatform().name("kvasir-engine-loop").daemon().start(this::run);
    }

    @Override
    public Generation submit(GenerationInput input, GenerationListener listener) {
        int blocks = blocksFor(input.promptTokens().length + input.params().maxTokens());
        if (blocks > engine.cache().pool().capacity()) {
            throw OpenAiException.invalid("max_tokens", "the prompt and max_tokens need " + blocks
                    + " KV blocks; this server's cache holds " + engine.cache().pool().capacity());
        }
        Job job = new Job(input, listener, blocks);
        if (!waiting.offer(job)) {
            throw OpenAiException.overloaded("the engine's queue is full; retry shortly", 1);
        }
        return job::cancel;
    }

    @Override
    public BackendLoad load() {
        BlockPool pool = engine.cache().pool();
        return new BackendLoad(running, waiting.size() + (head != null ? 1 : 0), 1.0 - (double) pool.freeBlocks() / pool.capacity());
    }

    private static int blocksFor(int tokens) {
        return (tokens + KvCache.BLOCK_TOKENS - 1) / KvCache.BLOCK_TOKENS;
    }

    private void run() {
        List<Job> active = new ArrayList<>();
        while (!stopped) {
            try {
                admit(active);
                dropCancelled(active);
                running = active.size();
                if (active.isEmpty()) {
                    continue;
                }
                List<Sequence> batch = new ArrayList<>(active.size());
                active.forEach(j -> batch.add(j.sequence));
                engine.decode(batch);
                for (Iterator<Job> it = active.iterator(); it.hasNext(); ) {
                    Job j = it.next();
                    if (j.emit()) {
                        retire(j);
                        it.remove();
                    }
                }
            } catch (InterruptedException e) {
                return;
            } catch (RuntimeException e) {
                // A failed step poisons only the sequences in it; the loop keeps serving new ones.
                LOG.log(System.Logger.Level.ERROR, "decode step failed", e);
                for (Job j : active) {
                    j.sequence.cancel();
                    j.fail(OpenAiException.internal("generation failed: " + e.getMessage()));
                    reservedBlocks -= j.blocks;
                }
                active.clear();
            }
            running = active.size();
        }
    }

    /** Prefills waiting jobs while batch slots and reserved KV allow; blocks briefly only when idle. */
    private void admit(List<Job> active) throws InterruptedException {
        while (active.size() < maxBatch) {
            if (head == null) {
                head = active.isEmpty() ? waiting.poll(100, TimeUnit.MILLISECONDS) : waiting.poll();
            }
            Job next = head;
            if (next == null) {
                return;
            }
            if (next.cancelled.get()) {
                head = null;
                continue;
            }
            // It waits at the head for active sequences to retire; with none active every block is free and
            // submit() already refused jobs larger than the whole cache.
            if (reservedBlocks + next.blocks > engine.cache().pool().capacity()) {
                return;
            }
            head = null;
            reservedBlocks += next.blocks;
            try {
                next.sequence = engine.start(next.input.promptTokens(), next.input.params());
                engine.prefill(next.sequence);
            } catch (RuntimeException e) {
                reservedBlocks -= next.blocks;
                if (next.sequence != null) {
                    next.sequence.cancel();
                }
                next.fail(e instanceof IllegalArgumentException
                        ? OpenAiException.invalid("prompt", e.getMessage())
                        : OpenAiException.internal("prefill failed: " + e.getMessage()));
                continue;
            }
            if (next.emit()) {
                retire(next);
            } else {
                active.add(next);
            }
        }
    }

    private void dropCancelled(List<Job> active) {
        for (Iterator<Job> it = active.iterator(); it.hasNext(); ) {
            Job j = it.next();
            if (j.cancelled.get()) {
                j.sequence.cancel();
                reservedBlocks -= j.blocks;
                it.remove();
            }
        }
    }

    private void retire(Job j) {
        reservedBlocks -= j.blocks;
    }

    @Override
    public void close() throws Exception {
        stopped = true;
        loop.interrupt();
        loop.join(5_000);
        engine.close();
    }

    /** A submitted sequence and where its tokens go. */
    private static final class Job {
        final GenerationInput input;
        final GenerationListener listener;
        final int blocks;
        final AtomicBoolean cancelled = new AtomicBoolean();
        Sequence sequence;
        int emitted;

        Job(GenerationInput input, GenerationListener listener, int blocks) {
            this.input = input;
            this.listener = listener;
            this.blocks = blocks;
        }

        void cancel() {
            cancelled.set(true);
        }

        /** Reports the newest token; true when the sequence has finished (or was cancelled meanwhile). */
        boolean emit() {
            if (cancelled.get()) {
                sequence.cancel();
                return true;
            }
            var tokens = sequence.sampledTokens();
            try {
                for (; emitted < tokens.size(); emitted++) {
                    listener.onToken(tokens.get(emitted), emitted == tokens.size() - 1 ? sequence.takeText() : "");
                }
                if (sequence.isFinished()) {
                    listener.onFinish(sequence.finishReason(), 0);
                    return true;
                }
            } catch (RuntimeException e) {
                LOG.log(System.Logger.Level.ERROR, "a listener failed; cancelling its sequence", e);
                sequence.cancel();
                return true;
            }
            return false;
        }

        void fail(OpenAiException e) {
            if (!cancelled.get()) {
                listener.onError(e);
            }
        }
    }
}
