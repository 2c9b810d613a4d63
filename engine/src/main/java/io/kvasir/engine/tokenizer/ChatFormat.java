package io.kvasir.engine.tokenizer;

import java.util.List;

/**
 * The well-known prompt formats used when a model's own chat template is missing or cannot be
 * rendered: the model still gets the format it was trained on, not bare text.
 */
enum ChatFormat {

    /** Qwen and other ChatML models. */
    CHATML {
        @Override
        String render(List<ChatMessage> messages, boolean addGenerationPrompt) {
            StringBuilder out = new StringBuilder();
            for (ChatMessage m : messages) {
                out.append("<|im_start|>").append(m.role()).append('\n').append(m.content()).append("<|im_end|>\n");
            }
            return addGenerationPrompt ? out.append("<|im_start|>assistant\n").toString() : out.toString();
        }
    },

    /** Llama 3's header format; its template trims each message. */
    LLAMA3 {
        @Override
        String render(List<ChatMessage> messages, boolean addGenerationPrompt) {
            StringBuilder out = new StringBuilder("<|begin_of_text|>");
            for (ChatMessage m : messages) {
                out.append("<|start_header_id|>").append(m.role()).append("<|end_header_id|>\n\n")
                        .append(m.content().strip()).append("<|eot_id|>");
            }
            if (addGenerationPrompt) {
                out.append("<|start_header_id|>assistant<|end_header_id|>\n\n");
            }
            return out.toString();
        }
    },

    /** Last resort for tokenizers of no known family: "role: content" lines. */
    PLAIN {
        @Override
        String render(List<ChatMessage> messages, boolean addGenerationPrompt) {
            StringBuilder out = new StringBuilder();
            for (ChatMessage m : messages) {
                out.append(m.role()).append(": ").append(m.content()).append('\n');
            }
            return addGenerationPrompt ? out.append("assistant:").toString() : out.toString();
        }
    };

    abstract String render(List<ChatMessage> messages, boolean addGenerationPrompt);

    /** The family a tokenizer belongs to, told by its special tokens. */
    static ChatFormat of(Tokenizer tokenizer) {
        if (tokenizer.tokenId("<|im_start|>").isPresent()) {
            return CHATML;
        }
        if (tokenizer.tokenId("<|start_header_id|>").isPresent()) {
            return LLAMA3;
        }
        return PLAIN;
    }
}
