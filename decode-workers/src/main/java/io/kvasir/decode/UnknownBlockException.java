package io.kvasir.decode;

/** A handoff names KV blocks the store does not have (never written, evicted, expired or corrupt). */
public final class UnknownBlockException extends RuntimeException {

    public UnknownBlockException(String message) {
        super(message);
    }
}
