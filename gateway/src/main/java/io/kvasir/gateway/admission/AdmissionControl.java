package io.kvasir.gateway.admission;

import io.kvasir.gateway.api.OpenAiException;

import java.util.concurrent.atomic.AtomicInteger;

/**
 * Bounds the sequences one gateway holds, generating and queued together: past the bound a request is refused
 * at once with 429 and {@code Retry-After}, never parked in an unbounded wait.
 */
public final class AdmissionControl {

    private final int capacity;
    private final int retryAfterSeconds;
    private final AtomicInteger held = new AtomicInteger();

    public AdmissionControl(int capacity, int retryAfterSeconds) {
        if (capacity <= 0) {
            throw new IllegalArgumentException("admission capacity must be positive, got " + capacity);
        }
        this.capacity = capacity;
        this.retryAfterSeconds = retryAfterSeconds;
    }

    /**
     * Takes {@code sequences} slots (a request's choices) or refuses.
     *
     * @throws OpenAiException 429 when they do not fit
     */
    public void acquire(int sequences) {
        if (sequences > capacity) {
            throw OpenAiException.invalid("n", "this request needs " + sequences + " sequences; this gateway admits at most "
                    + capacity + " at once");
        }
        while (true) {
            int now = held.get();
            if (now + sequences > capacity) {
                throw OpenAiException.overloaded("the server is at capacity (" + capacity
                        + " sequences in flight); retry after " + retryAfterSeconds + " s", retryAfterSeconds);
            }
            if (held.compareAndSet(now, now + sequences)) {
                return;
            }
        }
    }

    public void release(int sequences) {
        held.addAndGet(-sequences);
    }

    public int held() {
        return held.get();
    }
}
