package io.kvasir.engine.kv;

/** No free KV block is left in the pool; the caller decides whether to wait, preempt or fail the request. */
public final class KvCacheFullException extends RuntimeException {

    public KvCacheFullException(int capacityBlocks) {
        super("KV cache full: all " + capacityBlocks + " blocks are in use");
    }
}
