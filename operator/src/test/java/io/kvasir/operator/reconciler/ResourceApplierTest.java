package io.kvasir.operator.reconciler;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.junit.jupiter.api.Test;

class ResourceApplierTest {
    private static final ObjectMapper JSON = new ObjectMapper();

    private static JsonNode json(String text) throws Exception {
        return JSON.readTree(text.replace('\'', '"'));
    }

    @Test
    void fieldsAddedByTheServerDoNotCountAsDrift() throws Exception {
        assertThat(ResourceApplier.covers(
                json("{'spec':{'replicas':2,'revisionHistoryLimit':10},'status':{'readyReplicas':2}}"),
                json("{'spec':{'replicas':2}}"))).isTrue();
    }

    @Test
    void aChangedOrMissingFieldIsDrift() throws Exception {
        assertThat(ResourceApplier.covers(json("{'spec':{'replicas':3}}"), json("{'spec':{'replicas':2}}")))
                .isFalse();
        assertThat(ResourceApplier.covers(json("{'spec':{}}"), json("{'spec':{'replicas':2}}"))).isFalse();
    }

    @Test
    void listsMustMatchElementByElement() throws Exception {
        assertThat(ResourceApplier.covers(json("{'a':[{'x':1,'y':2}]}"), json("{'a':[{'x':1}]}"))).isTrue();
        assertThat(ResourceApplier.covers(json("{'a':[{'x':1},{'x':2}]}"), json("{'a':[{'x':1}]}"))).isFalse();
    }

    @Test
    void numbersCompareByValue() throws Exception {
        assertThat(ResourceApplier.covers(json("{'n':1.0}"), json("{'n':1}"))).isTrue();
    }
}
