package io.kvasir.operator;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class KvasirOperatorTest {
    @Test
    void watchesAllNamespacesUnlessSomeAreListed() {
        assertThat(KvasirOperator.watchedNamespaces(null)).isEmpty();
        assertThat(KvasirOperator.watchedNamespaces("")).isEmpty();
        assertThat(KvasirOperator.watchedNamespaces(" team-a, team-b ,")).containsExactlyInAnyOrder("team-a", "team-b");
    }
}
