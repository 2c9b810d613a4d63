package io.kvasir.gateway.backend;

import io.kvasir.gateway.api.OpenAiException;

/**
 * Where the gateway sends tokenized prompts: the disaggregated workers, or an engine in this process.
 * Implementations are thread-safe and never block the caller on generation.
 */
public interface GenerationBackend {

    /**
     * Starts one generated choice. Events arrive on {@code listener} from the backend's own threads, in order,
     * ending with exactly one {@code onFinish} or {@code onError}.
     *
     * @throws OpenAiException 429 when the backend's queue is full, 503 when nothing can take the request
     */
    Generation submit(GenerationInput input, GenerationListener listener);

    /** Sequences generating now and waiting for a slot, and the KV cache's used fraction, for metrics. */
    BackendLoad load();
}
