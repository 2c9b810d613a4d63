package io.kvasir.engine.tokenizer;

import com.hubspot.jinjava.Jinjava;
import com.hubspot.jinjava.JinjavaConfig;
import com.hubspot.jinjava.el.JinjavaInterpreterResolver;
import com.hubspot.jinjava.interpret.RenderResult;
import com.hubspot.jinjava.interpret.TemplateError;
import com.hubspot.jinjava.lib.fn.ELFunctionDefinition;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import jinjava.javax.el.CompositeELResolver;

/** A Hugging Face chat template rendered by Jinjava the way transformers renders it with Jinja2. */
final class JinjaChatTemplate {

    /** Thrown when rendering fails for a reason other than the template's own raise_exception. */
    static final class RenderFailure extends RuntimeException {
        RenderFailure(String message) {
            super(message);
        }
    }

    /** Marks errors that the template raised on purpose, so they reach the client instead of a fallback. */
    private static final String RAISED = "chat template rejected the conversation: ";

    private final Jinjava jinjava;
    private final String template;
    private final String bosToken;
    private final String eosToken;

    JinjaChatTemplate(String template, String bosToken, String eosToken) {
        CompositeELResolver resolver = new CompositeELResolver();
        resolver.add(new PythonStringMethods());
        resolver.add(JinjavaInterpreterResolver.DEFAULT_RESOLVER_READ_WRITE);
        // transformers renders with trim_blocks and lstrip_blocks; templates are written for that.
        this.jinjava = new Jinjava(JinjavaConfig.newBuilder()
                .withElResolver(resolver)
                .withTrimBlocks(true)
                .withLstripBlocks(true)
                .build());
        jinjava.getGlobalContext().registerFunction(new ELFunctionDefinition(
                "", "raise_exception", JinjaChatTemplate.class, "raiseException", String.class));
        this.template = JinjaCompatibility.rewrite(template);
        this.bosToken = bosToken == null ? "" : bosToken;
        this.eosToken = eosToken == null ? "" : eosToken;
    }

    /** Called by templates through {@code raise_exception(message)}. */
    public static String raiseException(String message) {
        throw new IllegalArgumentException(RAISED + message);
    }

    /**
     * @throws IllegalArgumentException when the template rejects the conversation
     * @throws RenderFailure            when Jinjava cannot render the template
     */
    String render(List<ChatMessage> messages, boolean addGenerationPrompt) {
        List<Map<String, Object>> turns = new ArrayList<>(messages.size());
        for (ChatMessage m : messages) {
            Map<String, Object> turn = new LinkedHashMap<>();
            turn.put("role", m.role());
            turn.put("content", m.content());
            turns.add(turn);
        }
        Map<String, Object> context = new HashMap<>();
        context.put("messages", turns);
        context.put("add_generation_prompt", addGenerationPrompt);
        context.put("bos_token", bosToken);
        context.put("eos_token", eosToken);
        RenderResult result = jinjava.renderForResult(template, context);
        List<TemplateError> fatal = result.getErrors().stream()
                .filter(e -> e.getSeverity() == TemplateError.ErrorType.FATAL).toList();
        for (TemplateError error : fatal) {
            String raised = raisedMessage(error);
            if (raised != null) {
                throw new IllegalArgumentException(raised);
            }
        }
        if (!fatal.isEmpty()) {
            throw new RenderFailure(fatal.stream().map(TemplateError::getMessage).collect(Collectors.joining("; ")));
        }
        return result.getOutput();
    }

    /** Jinjava reports only "Error invoking function"; the template's own message is in the cause chain. */
    private static String raisedMessage(TemplateError error) {
        for (Throwable t = error.getException(); t != null; t = t.getCause()) {
            if (t.getMessage() != null && t.getMessage().startsWith(RAISED)) {
                return t.getMessage();
            }
        }
        return null;
    }
}
