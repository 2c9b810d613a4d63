package io.kvasir.engine.tokenizer;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import org.junit.jupiter.api.Test;

/** Expected strings come from transformers' renderer (Jinja2 with trim_blocks and lstrip_blocks). */
class ChatTemplateTest {

    private static final List<ChatMessage> SYSTEM_USER = List.of(
            new ChatMessage("system", "You are helpful."), new ChatMessage("user", "Hi 你好 👋"));
    private static final List<ChatMessage> MULTI_TURN = List.of(
            new ChatMessage("system", "S"),
            new ChatMessage("user", "Q1"),
            new ChatMessage("assistant", "<think>\nr1\n</think>\n\nA1"),
            new ChatMessage("user", "Q2"),
            new ChatMessage("assistant", "<think>\nr2\n</think>\n\nA2"));
    private static final String SYSTEM_USER_CHATML =
            "<|im_start|>system\nYou are helpful.<|im_end|>\n<|im_start|>user\nHi 你好 👋<|im_end|>\n";

    @Test
    void generatedChatMlTemplateRendersSystemAndUser() throws Exception {
        ChatTemplate template = generatedTemplate();
        assertTrue(template.usesModelTemplate());
        assertEquals(SYSTEM_USER_CHATML + "<|im_start|>assistant\n", template.render(SYSTEM_USER, true));
        assertEquals(SYSTEM_USER_CHATML, template.render(SYSTEM_USER, false));
    }

    @Test
    void generatedChatMlTemplateRendersMultiTurn() throws Exception {
        assertEquals("<|im_start|>system\nS<|im_end|>\n<|im_start|>user\nQ1<|im_end|>\n"
                        + "<|im_start|>assistant\n<think>\nr1\n</think>\n\nA1<|im_end|>\n"
                        + "<|im_start|>user\nQ2<|im_end|>\n"
                        + "<|im_start|>assistant\n<think>\nr2\n</think>\n\nA2<|im_end|>\n<|im_start|>assistant\n",
                generatedTemplate().render(MULTI_TURN, true));
    }

    @Test
    void qwen3TemplateRendersInJinjava() {
        ChatTemplate template = ChatTemplate.load(TestTokenizers.qwenDir(), Tokenizers.load(TestTokenizers.qwenDir()));
        assertTrue(template.usesModelTemplate(), "Qwen3's own template renders, no fallback");
        assertEquals(SYSTEM_USER_CHATML + "<|im_start|>assistant\n", template.render(SYSTEM_USER, true));
        // Reasoning is dropped from assistant turns before the last user query, kept after it.
        String history = "<|im_start|>system\nS<|im_end|>\n<|im_start|>user\nQ1<|im_end|>\n"
                + "<|im_start|>assistant\nA1<|im_end|>\n<|im_start|>user\nQ2<|im_end|>\n"
                + "<|im_start|>assistant\n<think>\nr2\n</think>\n\nA2<|im_end|>\n";
        assertEquals(history + "<|im_start|>assistant\n", template.render(MULTI_TURN, true));
        assertEquals(history, template.render(MULTI_TURN, false));
    }

    @Test
    void llama3TemplateRendersWithBosAndTrim() throws Exception {
        String llama3 = "{% set loop_messages = messages %}{% for message in loop_messages %}"
                + "{% set content = '<|start_header_id|>' + message['role'] + '<|end_header_id|>\\n\\n'"
                + "+ message['content'] | trim + '<|eot_id|>' %}{% if loop.index0 == 0 %}"
                + "{% set content = bos_token + content %}{% endif %}{{ content }}{% endfor %}"
                + "{% if add_generation_prompt %}{{ '<|start_header_id|>assistant<|end_header_id|>\\n\\n' }}{% endif %}";
        String expected = "<|begin_of_text|><|start_header_id|>system<|end_header_id|>\n\nYou are helpful.<|eot_id|>"
                + "<|start_header_id|>user<|end_header_id|>\n\nHi 你好 👋<|eot_id|>"
                + "<|start_header_id|>assistant<|end_header_id|>\n\n";
        ChatTemplate template = ChatTemplate.of(llama3, "<|begin_of_text|>", "<|eot_id|>", generatedTokenizer());
        assertTrue(template.usesModelTemplate());
        assertEquals(expected, template.render(SYSTEM_USER, true));
        assertEquals(expected, ChatFormat.LLAMA3.render(SYSTEM_USER, true), "the fallback matches the template");
    }

    @Test
    void unrenderableTemplateFallsBackToTheTokenizersFamily() throws Exception {
        ChatTemplate template = ChatTemplate.of("{% for m in messages %}{{ m.content | no_such_filter(1 }}{% endfor %}",
                null, "<|im_end|>", generatedTokenizer());
        assertFalse(template.usesModelTemplate());
        assertEquals(SYSTEM_USER_CHATML + "<|im_start|>assistant\n", template.render(SYSTEM_USER, true));
    }

    @Test
    void missingTemplateWithoutAKnownFamilyUsesRoleLines() throws Exception {
        Tokenizer plain = Tokenizers.fromGgufVocabulary("gpt2", "gpt-2",
                TokenizerGenerator.vocabulary(259).tokens().subList(0, 256),
                TokenizerGenerator.vocabulary(259).tokenTypes().subList(0, 256), List.of());
        ChatTemplate template = ChatTemplate.of(null, null, null, plain);
        assertFalse(template.usesModelTemplate());
        assertEquals("system: You are helpful.\nuser: Hi 你好 👋\nassistant:", template.render(SYSTEM_USER, true));
    }

    @Test
    void raiseExceptionRejectsTheConversation() throws Exception {
        ChatTemplate template = ChatTemplate.of("{% for m in messages %}{% if m.role == 'system' %}"
                + "{{ raise_exception('System role not supported') }}{% endif %}{{ m.content }}{% endfor %}",
                null, null, generatedTokenizer());
        assertTrue(template.usesModelTemplate());
        assertEquals("Q1", template.render(List.of(new ChatMessage("user", "Q1")), true));
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> template.render(SYSTEM_USER, true));
        assertTrue(e.getMessage().contains("System role not supported"), e.getMessage());
    }

    @Test
    void pythonStringMethodsKeepPythonSemantics() throws Exception {
        ChatTemplate template = ChatTemplate.of("{% for m in messages %}"
                + "[{{ m.content.split('</think>')[-1] }}|{{ m.content.strip('\\n') }}|{{ m.content.startswith('\\n') }}]"
                + "{% endfor %}", null, null, generatedTokenizer());
        assertEquals("[|x</think>|true]", template.render(List.of(new ChatMessage("user", "\nx</think>\n\n")), false)
                .replace("\n", ""));
    }

    private static Tokenizer generatedTokenizer() throws Exception {
        return Tokenizers.load(TestTokenizers.generatedDir(512));
    }

    private static ChatTemplate generatedTemplate() throws Exception {
        return ChatTemplate.load(TestTokenizers.generatedDir(512), generatedTokenizer());
    }
}
