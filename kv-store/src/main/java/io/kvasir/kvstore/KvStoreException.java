package io.kvasir.kvstore;

/** The store could not be reached or did not answer in time. */
public final class KvStoreException extends RuntimeException {

    public KvStoreException(String message, Throwable cause) {
        super(message, cause);
    }
}
