package io.kvasir.operator.autoscaler;

import java.time.Instant;
import java.util.HashMap;
import java.util.OptionalDouble;
import java.util.TreeMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** Reads the gateway metrics the autoscaler needs out of Prometheus text exposition ({@code /q/metrics}). */
public final class PrometheusText {
    public static final String TTFT = "kvasir_time_to_first_token_seconds";
    public static final String ITL = "kvasir_inter_token_latency_seconds";
    public static final String RUNNING = "kvasir_requests_running";
    public static final String WAITING = "kvasir_requests_waiting";
    public static final String PROMPT_TOKENS = "kvasir_prompt_tokens_total";
    public static final String GENERATION_TOKENS = "kvasir_generation_tokens_total";
    public static final String KV_USAGE = "kvasir_kv_usage_ratio";

    private static final Pattern SAMPLE = Pattern.compile("^([a-zA-Z_:][a-zA-Z0-9_:]*)(\\{(.*)})?\\s+(\\S+)");
    private static final Pattern LE = Pattern.compile("le=\"([^\"]+)\"");

    private PrometheusText() {
    }

    /** Sums each metric over all its label sets (e.g. per model); absent metrics read as zero. */
    public static LoadSample parse(String text, Instant time) {
        var totals = new HashMap<String, Double>();
        var ttft = new TreeMap<Double, Double>();
        var itl = new TreeMap<Double, Double>();
        for (String line : text.split("\n")) {
            if (line.isBlank() || line.startsWith("#")) {
                continue;
            }
            Matcher m = SAMPLE.matcher(line.strip());
            if (!m.find()) {
                continue;
            }
            String name = m.group(1);
            double value = number(m.group(4));
            if (name.equals(TTFT + "_bucket") || name.equals(ITL + "_bucket")) {
                Matcher le = LE.matcher(m.group(3) == null ? "" : m.group(3));
                if (le.find()) {
                    (name.startsWith(TTFT) ? ttft : itl).merge(number(le.group(1)), value, Double::sum);
                }
            } else {
                totals.merge(name, value, name.equals(KV_USAGE) ? Math::max : Double::sum);
            }
        }
        return new LoadSample(time,
                totals.getOrDefault(PROMPT_TOKENS, 0.0),
                totals.getOrDefault(GENERATION_TOKENS, 0.0),
                totals.getOrDefault(RUNNING, 0.0),
                totals.getOrDefault(WAITING, 0.0),
                totals.getOrDefault(KV_USAGE, 0.0),
                Histogram.of(ttft),
                Histogram.of(itl));
    }

    /** The value of one metric summed over its label sets; empty when it is absent. */
    public static OptionalDouble value(String text, String metric) {
        double sum = 0;
        boolean found = false;
        for (String line : text.split("\n")) {
            Matcher m = SAMPLE.matcher(line.strip());
            if (!line.startsWith("#") && m.find() && m.group(1).equals(metric)) {
                sum += number(m.group(4));
                found = true;
            }
        }
        return found ? OptionalDouble.of(sum) : OptionalDouble.empty();
    }

    private static double number(String text) {
        return switch (text) {
            case "+Inf" -> Double.POSITIVE_INFINITY;
            case "-Inf" -> Double.NEGATIVE_INFINITY;
            default -> Double.parseDouble(text);
        };
    }
}
