package io.kvasir.operator.chart;

import com.marcnuri.helm.Helm;
import com.marcnuri.helm.TemplateCommand;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.rbac.PolicyRule;
import io.fabric8.kubernetes.client.utils.KubernetesSerialization;
import io.kvasir.operator.api.KvasirCluster;
import io.kvasir.operator.testing.Samples;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.function.UnaryOperator;

/** The chart rendered by helm-java (Helm 3 as a native library), each document parsed by the Fabric8 client. */
public final class RenderedChart {
    private static final KubernetesSerialization SERIALIZATION = new KubernetesSerialization();

    private final List<HasMetadata> objects;

    private RenderedChart(List<HasMetadata> objects) {
        this.objects = objects;
    }

    public static RenderedChart render(Map<String, Object> values) {
        return render(command -> {
            values.forEach(command::set);
            return command;
        });
    }

    public static RenderedChart render(UnaryOperator<TemplateCommand> values) {
        String yaml = values.apply(new Helm(Samples.chartDir()).template()
                .withName("kvasir").withNamespace("kvasir-system")).call();
        var objects = new ArrayList<HasMetadata>();
        for (String document : yaml.split("(?m)^---\\s*$")) {
            if (document.lines().allMatch(l -> l.isBlank() || l.strip().startsWith("#"))) {
                continue;
            }
            HasMetadata object = document.contains("kind: KvasirCluster")
                    ? SERIALIZATION.unmarshal(document, KvasirCluster.class)
                    : SERIALIZATION.unmarshal(document);
            objects.add(object);
        }
        return new RenderedChart(objects);
    }

    public List<HasMetadata> objects() {
        return objects;
    }

    public <T extends HasMetadata> List<T> ofType(Class<T> type) {
        return objects.stream().filter(type::isInstance).map(type::cast).toList();
    }

    /** Rules flattened to {@code group/resource:verb} strings, e.g. {@code apps/deployments:get}. */
    public static Set<String> permissions(List<PolicyRule> rules) {
        var permissions = new TreeSet<String>();
        for (PolicyRule rule : rules) {
            for (String group : rule.getApiGroups()) {
                for (String resource : rule.getResources()) {
                    for (String verb : rule.getVerbs()) {
                        permissions.add(group + "/" + resource + ":" + verb);
                    }
                }
            }
        }
        return permissions;
    }

    static List<String> kinds(RenderedChart chart) {
        return chart.objects.stream().map(HasMetadata::getKind).sorted().toList();
    }
}
