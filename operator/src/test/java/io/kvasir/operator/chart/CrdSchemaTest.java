package io.kvasir.operator.chart;

import static org.assertj.core.api.Assertions.assertThat;

import io.fabric8.kubernetes.api.model.apiextensions.v1.CustomResourceDefinition;
import io.fabric8.kubernetes.api.model.apiextensions.v1.CustomResourceDefinitionVersion;
import io.fabric8.kubernetes.api.model.apiextensions.v1.JSONSchemaProps;
import io.fabric8.kubernetes.api.model.apiextensions.v1.ValidationRule;
import io.fabric8.kubernetes.client.utils.KubernetesSerialization;
import io.kvasir.operator.testing.Samples;
import org.junit.jupiter.api.Test;

/** The validation the API server applies before the operator sees a KvasirCluster. */
class CrdSchemaTest {
    private final CustomResourceDefinitionVersion version = new KubernetesSerialization()
            .unmarshal(Samples.read(Samples.chartCrd()), CustomResourceDefinition.class).getSpec().getVersions()
            .getFirst();
    private final JSONSchemaProps spec = version.getSchema().getOpenAPIV3Schema().getProperties().get("spec");

    @Test
    void isANamespacedV1alpha1ResourceWithAStatusSubresource() {
        assertThat(version.getName()).isEqualTo("v1alpha1");
        assertThat(version.getSubresources().getStatus()).isNotNull();
        assertThat(version.getAdditionalPrinterColumns()).extracting(c -> c.getName())
                .contains("Ready", "Prefill", "Decode");
    }

    @Test
    void requiresAModelPath() {
        assertThat(spec.getRequired()).containsExactly("model");
        assertThat(spec.getProperties().get("model").getRequired()).containsExactly("path");
        assertThat(spec.getProperties().get("model").getProperties().get("path").getPattern()).isEqualTo("^/.*");
    }

    @Test
    void boundsAndEnums() {
        JSONSchemaProps prefill = spec.getProperties().get("prefill");
        assertThat(prefill.getProperties().get("minReplicas").getMinimum()).isZero();
        assertThat(prefill.getProperties().get("maxReplicas").getMinimum()).isEqualTo(1.0);
        assertThat(prefill.getProperties().get("sparse").getProperties().get("method").getEnum())
                .extracting(Object::toString)
                .containsExactlyInAnyOrder("\"dense\"", "\"a-shape\"", "\"vertical-slash\"", "\"block-sparse\"",
                        "\"seer\"", "\"s2\"");
        assertThat(spec.getProperties().get("kvStore").getProperties().get("backupCount").getMaximum())
                .isEqualTo(6.0);
        assertThat(spec.getProperties().get("eventBus").getProperties().get("mode").getEnum()).hasSize(2);
    }

    @Test
    void crossFieldRulesAreCelValidations() {
        assertThat(spec.getProperties().get("prefill").getXKubernetesValidations()).extracting(ValidationRule::getMessage)
                .containsExactly("minReplicas must not exceed maxReplicas");
        assertThat(spec.getProperties().get("decode").getXKubernetesValidations()).hasSize(1);
        assertThat(spec.getProperties().get("eventBus").getXKubernetesValidations()).extracting(ValidationRule::getRule)
                .singleElement().asString().contains("self.mode != 'kafka'");
        assertThat(spec.getProperties().get("kvStore").getXKubernetesValidations()).hasSize(1);
    }
}
