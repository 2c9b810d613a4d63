package io.kvasir.gateway.backend;

/**
 * @param running      sequences being generated
 * @param waiting      sequences queued for a slot
 * @param kvUsageRatio used fraction of the KV cache, 0..1
 */
public record BackendLoad(int running, int waiting, double kvUsageRatio) {}
