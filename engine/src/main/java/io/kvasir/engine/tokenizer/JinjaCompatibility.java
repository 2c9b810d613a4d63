package io.kvasir.engine.tokenizer;

import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Rewrites the Jinja constructs of Hugging Face chat templates that Jinjava parses differently into
 * equivalents it handles. Each rewrite keeps the template's meaning.
 */
final class JinjaCompatibility {

    /** {@code {{- expr -}}}: Jinjava ignores whitespace control on expressions, but honors it on tags. */
    private static final Pattern TRIMMED_EXPRESSION = Pattern.compile("\\{\\{(-?)(.*?)(-?)}}", Pattern.DOTALL);
    /** Reversal by slice, which Jinjava cannot parse; the reverse filter means the same in a for loop. */
    private static final Pattern REVERSE_SLICE = Pattern.compile("\\[\\s*:\\s*:\\s*-1\\s*]");
    private static final Pattern NAMESPACE_CALL = Pattern.compile("\\bnamespace\\(");
    private static final Pattern KEYWORD = Pattern.compile("^\\s*([A-Za-z_][A-Za-z0-9_]*)\\s*=(?!=)(.*)$", Pattern.DOTALL);

    private JinjaCompatibility() {}

    static String rewrite(String template) {
        String out = REVERSE_SLICE.matcher(template).replaceAll("|reverse");
        out = parenthesizeNamespaceArguments(out);
        return TRIMMED_EXPRESSION.matcher(out).replaceAll(m -> m.group(1).isEmpty() && m.group(3).isEmpty()
                ? Matcher.quoteReplacement(m.group())
                : Matcher.quoteReplacement("{%" + m.group(1) + " print " + m.group(2) + " " + m.group(3) + "%}"));
    }

    /**
     * Jinjava binds a filter or operator in {@code namespace(a=x|length - 1)} to the named parameter
     * rather than to its value; parentheses around each value restore Jinja's reading.
     */
    private static String parenthesizeNamespaceArguments(String template) {
        StringBuilder out = new StringBuilder();
        Matcher call = NAMESPACE_CALL.matcher(template);
        int copied = 0;
        while (call.find(copied)) {
            int open = call.end() - 1;
            int close = matchingParenthesis(template, open);
            if (close < 0) {
                break;
            }
            out.append(template, copied, open + 1);
            String separator = "";
            for (String argument : splitTopLevel(template.substring(open + 1, close))) {
                Matcher keyword = KEYWORD.matcher(argument);
                out.append(separator).append(keyword.matches()
                        ? keyword.group(1) + "=(" + keyword.group(2).strip() + ")"
                        : argument);
                separator = ", ";
            }
            out.append(')');
            copied = close + 1;
        }
        return out.append(template.substring(copied)).toString();
    }

    private static int matchingParenthesis(String text, int open) {
        int depth = 0;
        char quote = 0;
        for (int i = open; i < text.length(); i++) {
            char c = text.charAt(i);
            if (quote != 0) {
                quote = c == quote ? 0 : quote;
            } else if (c == '\'' || c == '"') {
                quote = c;
            } else if (c == '(' || c == '[' || c == '{') {
                depth++;
            } else if ((c == ')' || c == ']' || c == '}') && --depth == 0) {
                return i;
            }
        }
        return -1;
    }

    private static List<String> splitTopLevel(String arguments) {
        List<String> parts = new ArrayList<>();
        int depth = 0;
        char quote = 0;
        int start = 0;
        for (int i = 0; i < arguments.length(); i++) {
            char c = arguments.charAt(i);
            if (quote != 0) {
                quote = c == quote ? 0 : quote;
            } else if (c == '\'' || c == '"') {
                quote = c;
            } else if (c == '(' || c == '[' || c == '{') {
                depth++;
            } else if (c == ')' || c == ']' || c == '}') {
                depth--;
            } else if (c == ',' && depth == 0) {
                parts.add(arguments.substring(start, i));
                start = i + 1;
            }
        }
        if (!arguments.isBlank()) {
            parts.add(arguments.substring(start));
        }
        return parts;
    }
}
