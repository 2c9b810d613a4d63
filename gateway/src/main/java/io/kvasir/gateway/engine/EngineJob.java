package io.kvasir.gateway.engine;

import io.kvasir.engine.runtime.DecodeLoop;
import io.kvasir.engine.runtime.Sequence;
import io.kvasir.engine.sampling.SampledToken;
import io.kvasir.gateway.api.OpenAiException;
import io.kvasir.gateway.backend.GenerationInput;
import io.kvasir.gateway.backend.GenerationListener;

/**
 * One choice on the in-process engine: queued for prefill, then a sequence on the {@link DecodeLoop}, whose
 * callbacks it forwards to the gateway's listener. Cancelling before prefill skips it; after, the loop drops the
 * sequence at its next iteration and frees its blocks.
 */
final class EngineJob implements DecodeLoop.Listener {

    private static final System.Logger LOG = System.getLogger(EngineJob.class.getName());

    private final GenerationInput input;
    private final GenerationListener listener;
    private final DecodeLoop loop;
    // Guarded by this: which of cancel, attach and end came first decides who frees the sequence.
    private boolean cancelled;
    private boolean ended;
    private Sequence sequence;

    EngineJob(GenerationInput input, GenerationListener listener, DecodeLoop loop) {
        this.input = input;
        this.listener = listener;
        this.loop = loop;
    }

    GenerationInput input() {
        return input;
    }

    synchronized boolean isCancelled() {
        return cancelled;
    }

    /** The prefilled sequence; false when the job was cancelled meanwhile (the caller frees the sequence). */
    synchronized boolean attach(Sequence s) {
        if (cancelled) {
            return false;
        }
        sequence = s;
        return true;
    }

    void cancel() {
        Sequence s;
        synchronized (this) {
            if (cancelled) {
                return;
            }
            cancelled = true;
            // Once the loop has ended the sequence a cancel would linger in its set; before attach there is none.
            s = ended ? null : sequence;
        }
        if (s != null) {
            loop.cancel(s);
        }
    }

    @Override
    public void token(SampledToken token, String text) {
        if (isCancelled()) {
            return;
        }
        try {
            listener.onToken(token, text);
        } catch (RuntimeException e) {
            // The loop thread serves every sequence; one broken listener must only stop its own.
            LOG.log(System.Logger.Level.ERROR, "a listener failed; cancelling " + input.requestId(), e);
            cancel();
        }
    }

    @Override
    public void end(Sequence s, String error) {
        synchronized (this) {
            ended = true;
            if (cancelled) {
                return;
            }
        }
        try {
            if (error == null) {
                listener.onFinish(s.finishReason(), 0);
            } else {
                listener.onError(OpenAiException.internal("generation failed: " + error));
            }
        } catch (RuntimeException e) {
            LOG.log(System.Logger.Level.ERROR, "a listener failed at the end of " + input.requestId(), e);
        }
    }

    /** Ends the job before it reached the loop. */
    void fail(OpenAiException e) {
        synchronized (this) {
            ended = true;
            if (cancelled) {
                return;
            }
        }
        listener.onError(e);
    }
}
