package io.kvasir.gateway.events;

/**
 * A worker's periodic load report (issue 4, item 4).
 *
 * @param worker          the worker's base URL, as the gateway is configured to call it
 * @param role            {@code prefill} or {@code decode}
 * @param queueLength     requests waiting for the worker
 * @param activeSequences sequences it is generating
 * @param kvBlocksUsed    KV blocks in use
 * @param kvBlocksFree    KV blocks free
 * @param tokensPerSecond tokens processed per second lately
 */
public record WorkerLoadReport(String worker, String role, int queueLength, int activeSequences, int kvBlocksUsed,
                               int kvBlocksFree, double tokensPerSecond, long timestampMillis) {}
