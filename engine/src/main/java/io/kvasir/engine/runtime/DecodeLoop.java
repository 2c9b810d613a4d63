package io.kvasir.engine.runtime;

import io.kvasir.engine.kv.KvCache;
import io.kvasir.engine.kv.KvCacheFullException;
import io.kvasir.engine.sampling.SampledToken;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Temporal fusion (Flover): one thread, and each iteration one batched forward over every active sequence, each
 * with its own length and sampling. New sequences join only at iteration boundaries; finished ones leave and the
 * last live slot moves into the hole, so the batch stays dense (KV is paged, so nothing else moves).
 */
public final class DecodeLoop implements AutoCloseable {

    /** Receives a sequence's tokens on the loop thread; must not block. */
    public interface Listener {
        void token(SampledToken token, String text);

        /** The sequence ended: finished by its stop rules, cancelled, or failed ({@code error} non-null). */
        void end(Sequence sequence, String error);
    }

    /**
     * Where a preempted sequence's KV goes while it waits (the KV store, in a decode worker). Called on the loop
     * thread: {@link #save} before the sequence's blocks are freed, {@link #load} after room was made for them.
     */
    public interface Preemption {
        void save(Sequence sequence);

        void load(Sequence sequence);
    }

    private record Entry(Sequence sequence, Listener listener) {}

    private record Suspended(Entry entry, int tokens) {}

    private final InferenceEngine engine;
    private final int maxBatch;
    private final BlockingQueue<Entry> waiting;
    private final List<Entry> active = new ArrayList<>();
    private final ArrayDeque<Suspended> preempted = new ArrayDeque<>();
    private final Preemption preemption;
    private final AtomicLong preemptions = new AtomicLong();
    private final ConcurrentHashMap.KeySetView<Sequence, Boolean> cancelled = ConcurrentHashMap.newKeySet();
    private final AtomicLong iterations = new AtomicLong();
    private final AtomicLong sequenceSteps = new AtomicLong();
    private volatile int activeCount;
    private volatile boolean running = true;
    private final Thread thread;

    /**
     * @param maxBatch     sequences per forward
     * @param waitCapacity sequences that may wait for a slot; {@link #submit} refuses beyond it
     */
    public DecodeLoop(InferenceEngine engine, int maxBatch, int waitCapacity) {
        this(engine, maxBatch, waitCapacity, null);
    }

    /** @param preemption where to park KV under memory pressure; null fails the youngest sequence instead */
    public DecodeLoop(InferenceEngine engine, int maxBatch, int waitCapacity, Preemption preemption) {
        if (maxBatch <= 0 || waitCapacity <= 0) {
            throw new IllegalArgumentException("batch and queue sizes must be positive");
        }
        this.engine = engine;
        this.preemption = preemption;
        this.maxBatch = maxBatch;
        this.waiting = new ArrayBlockingQueue<>(waitCapacity);
        this.thread = Thread.ofPlatform().name("decode-loop").daemon().start(this::run);
    }

    /**
     * Queues a prefilled (or resumed) sequence; the loop first replays the tokens it already has to the listener.
     * False when the queue is full (the caller answers 429).
     */
    public boolean submit(Sequence sequence, Listener listener) {
        return running && waiting.offer(new Entry(sequence, listener));
    }

    /** Stops the sequence at the next iteration boundary and frees its KV blocks (a client went away). */
    public void cancel(Sequence sequence) {
        cancelled.add(sequence);
    }

    public long iterations() {
        return iterations.get();
    }

    /** Σ over iterations of the sequences each forward covered. */
    public long sequenceSteps() {
        return sequenceSteps.get();
    }

    /** Sequences whose KV was parked to make room, since start. */
    public long preemptions() {
        return preemptions.get();
    }

    public int activeSequences() {
        return activeCount;
    }

    public int waitingSequences() {
        return waiting.size();
    }

    private void run() {
        while (running) {
            try {
                admit();
                if (active.isEmpty() && preempted.isEmpty()) {
                    Entry next = waiting.poll(50, TimeUnit.MILLISECONDS);
                    if (next != null) {
                        start(next);
                    }
                    continue;
                }
                step();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return;
            }
        }
    }

    /**
     * Memory-aware: a sequence joins only while every active one can still grow by one position. Preempted
     * sequences come back first, oldest first, once their blocks fit again.
     */
    private void admit() {
        while (active.size() < maxBatch && !preempted.isEmpty()
                && blocksForNextStep() + blocksFor(preempted.peekFirst().tokens + 1) <= freeBlocks()) {
            resume(preempted.pollFirst());
        }
        // Waiting sequences already hold their prompt's blocks; if those are what keeps the preempted out, run them.
        boolean blockedByWaiting = active.isEmpty() && !preempted.isEmpty();
        while ((preempted.isEmpty() || blockedByWaiting) && active.size() < maxBatch && !waiting.isEmpty()
                && blocksForNextStep() < freeBlocks()) {
            start(waiting.poll());
        }
    }

    private void resume(Suspended s) {
        try {
            engine.restoreKv(s.entry.sequence, s.tokens);
            preemption.load(s.entry.sequence);
        } catch (RuntimeException e) {
            s.entry.sequence.cancel();
            s.entry.listener.end(s.entry.sequence, "could not restore preempted KV: " + e.getMessage());
            return;
        }
        active.add(s.entry);
        activeCount = active.size();
    }

    /** Parks the youngest sequences' KV until the rest can take their next step. */
    private void preemptUnderPressure() {
        while (preemption != null && active.size() > 1 && blocksForNextStep() > freeBlocks()) {
            Entry youngest = active.removeLast();
            activeCount = active.size();
            try {
                preemption.save(youngest.sequence);
            } catch (RuntimeException e) {
                youngest.sequence.cancel();
                youngest.listener.end(youngest.sequence, "could not preempt: " + e.getMessage());
                continue;
            }
            preempted.addLast(new Suspended(youngest, engine.suspendKv(youngest.sequence)));
            preemptions.incrementAndGet();
        }
    }

    private static int blocksFor(int tokens) {
        return (tokens + KvCache.BLOCK_TOKENS - 1) / KvCache.BLOCK_TOKENS;
    }

    private void start(Entry e) {
        List<SampledToken> tokens = e.sequence.sampledTokens();
        for (int i = 0; i < tokens.size(); i++) {
            e.listener.token(tokens.get(i), i == tokens.size() - 1 ? e.sequence.takeText() : "");
        }
        if (e.sequence.isFinished()) {
            e.listener.end(e.sequence, null);
        } else {
            active.add(e);
        }
        activeCount = active.size();
    }

    private void step() {
        for (int i = active.size() - 1; i >= 0; i--) {
            if (cancelled.remove(active.get(i).sequence)) {
                active.get(i).sequence.cancel();
                retire(i, null);
            }
        }
        preemptUnderPressure();
        if (active.isEmpty()) {
            return;
        }
        List<Sequence> batch = new ArrayList<>(active.size());
        for (Entry e : active) {
            batch.add(e.sequence);
        }
        try {
            engine.decode(batch, engine.takesLookahead() ? queued() : List.of());
        } catch (KvCacheFullException full) {
            // Admission keeps a block per active sequence in reserve, so this only hits when blocks were taken
            // behind the loop's back; the youngest sequence gives way so the others can continue.
            Entry youngest = active.getLast();
            youngest.sequence.cancel();
            retire(active.size() - 1, full.getMessage());
            return;
        }
        iterations.incrementAndGet();
        sequenceSteps.addAndGet(batch.size());
        for (int i = active.size() - 1; i >= 0; i--) {
            Entry e = active.get(i);
            e.listener.token(e.sequence.lastSampled(), e.sequence.takeText());
            if (e.sequence.isFinished()) {
                retire(i, null);
            }
        }
    }

    /** Moves the last live slot into the hole at {@code slot}, keeping the batch dense. */
    private void retire(int slot, String error) {
        Entry gone = active.get(slot);
        Entry last = active.removeLast();
        if (slot < active.size()) {
            active.set(slot, last);
        }
        activeCount = active.size();
        cancelled.remove(gone.sequence);                                   // a cancel that came too late
        gone.listener.end(gone.sequence, error);
    }

    /** The sequences that join later iterations, in the order {@link #admit} takes them: preempted, then waiting. */
    private List<Sequence> queued() {
        List<Sequence> queued = new ArrayList<>();
        for (Suspended s : preempted) {
            if (queued.size() == InferenceEngine.MAX_LOOKAHEAD) {
                return queued;
            }
            queued.add(s.entry.sequence);
        }
        for (Entry e : waiting) {
            if (queued.size() == InferenceEngine.MAX_LOOKAHEAD) {
                break;
            }
            queued.add(e.sequence);
        }
        return queued;
    }

    private int blocksForNextStep() {
        int blocks = 0;
        for (Entry e : active) {
            blocks += e.sequence.blocksNeeded(1);
        }
        return blocks;
    }

    private int freeBlocks() {
        return engine.cache().pool().freeBlocks();
    }

    @Override
    public void close() throws InterruptedException {
        running = false;
        thread.join();
        for (Entry e : active) {
            e.sequence.cancel();
            e.listener.end(e.sequence, "the decode loop stopped");
        }
        active.clear();
        for (Suspended s : preempted) {
            s.entry.sequence.cancel();
            s.entry.listener.end(s.entry.sequence, "the decode loop stopped");
        }
        preempted.clear();
        Entry e;
        while ((e = waiting.poll()) != null) {
            e.sequence.cancel();
            e.listener.end(e.sequence, "the decode loop stopped");
        }
    }
}
