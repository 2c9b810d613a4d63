package io.kvasir.gateway.events;

/**
 * A worker's periodic load report, field for field the kv-store module's {@code WorkerLoad} (issue 4), so both
 * sides read the same JSON on {@code kvasir.worker-load}.
 *
 * @param worker          the reporter, {@code role@host:port}
 * @param role            {@code prefill} or {@code decode}
 * @param queueLength     requests waiting for the worker
 * @param activeSequences sequences it is generating
 * @param kvBlocksUsed    KV blocks in use
 * @param kvBlocksFree    KV blocks free
 * @param tokensPerSecond tokens processed per second lately
 */
public record WorkerLoad(String worker, String role, int queueLength, int activeSequences, int kvBlocksUsed,
                         int kvBlocksFree, double tokensPerSecond, long timeMillis) {}
