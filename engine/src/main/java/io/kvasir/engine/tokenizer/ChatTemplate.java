package io.kvasir.engine.tokenizer;

import java.nio.file.Path;
import java.util.List;

/**
 * Turns a conversation into the prompt text a model was trained on. The model's own Jinja template
 * is used where it renders; where it is missing or cannot be rendered, the tokenizer's family format
 * (ChatML, Llama 3, else "role: content" lines) is used and a warning is logged, so a prompt is never
 * sent unformatted without notice. Thread-safe.
 */
public final class ChatTemplate {

    private static final System.Logger LOG = System.getLogger(ChatTemplate.class.getName());
    private static final List<ChatMessage> PROBE = List.of(new ChatMessage("user", "ping"));

    private final JinjaChatTemplate jinja;
    private final ChatFormat fallback;

    private ChatTemplate(JinjaChatTemplate jinja, ChatFormat fallback) {
        this.jinja = jinja;
        this.fallback = fallback;
    }

    /** The {@code chat_template} of a model directory's {@code tokenizer_config.json}. */
    public static ChatTemplate load(Path modelDir, Tokenizer tokenizer) {
        TokenizerConfig config = TokenizerConfig.read(modelDir);
        return of(config.chatTemplate().orElse(null), config.bosToken(), config.eosToken(), tokenizer);
    }

    /**
     * A template given as text, such as GGUF's {@code tokenizer.chat_template}; null when the model has
     * none. The template is tried once on a one-message conversation so that a template Jinjava cannot
     * handle is reported at load time, not on the first request.
     */
    public static ChatTemplate of(String template, String bosToken, String eosToken, Tokenizer tokenizer) {
        ChatFormat fallback = ChatFormat.of(tokenizer);
        if (template == null || template.isBlank()) {
            LOG.log(System.Logger.Level.WARNING, "model has no chat template; formatting chats as " + fallback);
            return new ChatTemplate(null, fallback);
        }
        JinjaChatTemplate jinja = new JinjaChatTemplate(template, bosToken, eosToken);
        try {
            jinja.render(PROBE, true);
            return new ChatTemplate(jinja, fallback);
        } catch (JinjaChatTemplate.RenderFailure | IllegalArgumentException e) {
            LOG.log(System.Logger.Level.WARNING, "chat template cannot be rendered (" + e.getMessage()
                    + "); formatting chats as " + fallback);
            return new ChatTemplate(null, fallback);
        }
    }

    /**
     * @throws IllegalArgumentException when the model's template rejects the conversation (its
     *                                  {@code raise_exception}), e.g. roles that do not alternate
     */
    public String render(List<ChatMessage> messages, boolean addGenerationPrompt) {
        if (jinja != null) {
            try {
                return jinja.render(messages, addGenerationPrompt);
            } catch (JinjaChatTemplate.RenderFailure e) {
                LOG.log(System.Logger.Level.WARNING, "chat template failed on this conversation ("
                        + e.getMessage() + "); formatting it as " + fallback);
            }
        }
        return fallback.render(messages, addGenerationPrompt);
    }

    /** Whether the model's own template is in use, rather than a fallback format. */
    public boolean usesModelTemplate() {
        return jinja != null;
    }
}
