package io.kvasir.kvstore.events;

/** A worker's periodic load report, what routing and autoscaling read. */
public record WorkerLoad(String worker, String role, int queueLength, int activeSequences, int kvBlocksUsed,
                         int kvBlocksFree, double tokensPerSecond, long timeMillis) {
}
