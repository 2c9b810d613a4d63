package io.kvasir.gateway.backend;

/** A submitted choice. */
public interface Generation {

    /** Stops generating and frees the sequence's KV; no further events are delivered. Idempotent. */
    void cancel();
}
