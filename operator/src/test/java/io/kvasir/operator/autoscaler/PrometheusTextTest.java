package io.kvasir.operator.autoscaler;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Instant;
import org.junit.jupiter.api.Test;

class PrometheusTextTest {
    private static final String TEXT = """
            # HELP kvasir_prompt_tokens_total Prompt tokens received
            # TYPE kvasir_prompt_tokens_total counter
            kvasir_prompt_tokens_total{model="qwen"} 1200.0
            kvasir_prompt_tokens_total{model="llama"} 300.0
            kvasir_generation_tokens_total{model="qwen"} 4.5E3
            kvasir_requests_running 7
            kvasir_requests_waiting 2
            kvasir_kv_usage_ratio{worker="a"} 0.25
            kvasir_kv_usage_ratio{worker="b"} 0.75
            # TYPE kvasir_time_to_first_token_seconds histogram
            kvasir_time_to_first_token_seconds_bucket{model="qwen",le="0.5"} 3
            kvasir_time_to_first_token_seconds_bucket{model="qwen",le="+Inf"} 4
            kvasir_time_to_first_token_seconds_bucket{model="llama",le="0.5"} 1
            kvasir_time_to_first_token_seconds_bucket{model="llama",le="+Inf"} 1
            kvasir_time_to_first_token_seconds_count{model="qwen"} 4
            kvasir_time_to_first_token_seconds_sum{model="qwen"} 2.5
            kvasir_inter_token_latency_seconds_bucket{le="0.05"} 100
            kvasir_inter_token_latency_seconds_bucket{le="+Inf"} 120
            jvm_threads_live_threads 40
            """;

    @Test
    void sumsEachMetricOverItsLabels() {
        Instant now = Instant.parse("2026-11-26T04:00:00Z");
        LoadSample sample = PrometheusText.parse(TEXT, now);

        assertThat(sample.time()).isEqualTo(now);
        assertThat(sample.promptTokensTotal()).isEqualTo(1500);
        assertThat(sample.generationTokensTotal()).isEqualTo(4500);
        assertThat(sample.runningRequests()).isEqualTo(7);
        assertThat(sample.waitingRequests()).isEqualTo(2);
        assertThat(sample.kvUsageRatio()).as("the fullest worker").isEqualTo(0.75);
        assertThat(sample.timeToFirstToken()).isEqualTo(new Histogram(new double[] {0.5, Double.POSITIVE_INFINITY},
                new double[] {4, 5}));
        assertThat(sample.interTokenLatency().count()).isEqualTo(120);
    }

    @Test
    void missingMetricsReadAsZero() {
        LoadSample sample = PrometheusText.parse("# nothing here\n", Instant.EPOCH);
        assertThat(sample.promptTokensTotal()).isZero();
        assertThat(sample.timeToFirstToken().quantile(0.9)).isNaN();
    }

    @Test
    void readsOneMetric() {
        assertThat(PrometheusText.value(TEXT, PrometheusText.RUNNING)).hasValue(7);
        assertThat(PrometheusText.value(TEXT, "kvasir_absent")).isEmpty();
    }
}
