package io.kvasir.kvstore;

import com.hazelcast.config.Config;
import com.hazelcast.config.JoinConfig;
import com.hazelcast.config.KubernetesConfig;

import java.util.List;
import java.util.Map;

/**
 * How a kv-store member finds the others: locally a fixed TCP-IP list on loopback; in Kubernetes, Hazelcast's
 * built-in Kubernetes join, through the API (the pods behind a service) or a headless service's DNS name. Never
 * multicast. Chosen by environment variables, so a pod spec selects it without a config file.
 */
public sealed interface MemberDiscovery {

    /** DNS name of the members' headless service, e.g. {@code kv.ns.svc.cluster.local}: DNS lookup mode. */
    String SERVICE_DNS = "KVASIR_KV_STORE_K8S_SERVICE_DNS";
    /** Name of the members' service: Kubernetes API mode (the pod's account may list endpoints). */
    String SERVICE_NAME = "KVASIR_KV_STORE_K8S_SERVICE_NAME";
    /** Namespace of that service; unset means the pod's own. */
    String NAMESPACE = "KVASIR_KV_STORE_K8S_NAMESPACE";

    /** Members at fixed addresses on this machine; this one listens on 127.0.0.1 only. */
    record Loopback(List<String> members) implements MemberDiscovery {
        public Loopback {
            members = List.copyOf(members);
        }
    }

    /** Members are the ready and not-ready pods behind {@code serviceName}, read from the Kubernetes API. */
    record KubernetesApi(String serviceName, String namespace) implements MemberDiscovery {}

    /** Members are the addresses {@code serviceDns} resolves to, each on the member port. */
    record KubernetesDns(String serviceDns) implements MemberDiscovery {}

    /**
     * From the environment: {@link #SERVICE_DNS} or {@link #SERVICE_NAME} (with {@link #NAMESPACE}) select
     * Kubernetes; with neither, {@code loopbackMembers}. Blank values count as unset.
     *
     * @throws IllegalArgumentException both Kubernetes modes at once, or a namespace without a service
     */
    static MemberDiscovery from(Map<String, String> env, List<String> loopbackMembers) {
        String dns = value(env, SERVICE_DNS);
        String service = value(env, SERVICE_NAME);
        String namespace = value(env, NAMESPACE);
        if (dns != null && service != null) {
            throw new IllegalArgumentException(SERVICE_DNS + " and " + SERVICE_NAME + " select two Kubernetes modes; set one");
        }
        if (namespace != null && service == null) {
            throw new IllegalArgumentException(NAMESPACE + " needs " + SERVICE_NAME
                    + (dns != null ? " (a DNS name already names its namespace)" : ""));
        }
        if (dns != null) {
            return new KubernetesDns(dns);
        }
        if (service != null) {
            return new KubernetesApi(service, namespace);
        }
        return new Loopback(loopbackMembers);
    }

    private static String value(Map<String, String> env, String name) {
        String v = env.get(name);
        return v == null || v.isBlank() ? null : v.trim();
    }

    /** Sets {@code config}'s join (and, on loopback, its interface) for a member listening on {@code port}. */
    default void applyTo(Config config, int port) {
        JoinConfig join = config.getNetworkConfig().getJoin();
        join.getMulticastConfig().setEnabled(false);
        join.getAutoDetectionConfig().setEnabled(false);
        switch (this) {
            case Loopback l -> {
                config.getNetworkConfig().getInterfaces().setEnabled(true).addInterface("127.0.0.1");
                join.getTcpIpConfig().setEnabled(true).setMembers(l.members());
            }
            case KubernetesApi k -> {
                KubernetesConfig kubernetes = join.getKubernetesConfig().setEnabled(true)
                        .setProperty("service-name", k.serviceName());
                if (k.namespace() != null) {
                    kubernetes.setProperty("namespace", k.namespace());
                }
            }
            case KubernetesDns k -> join.getKubernetesConfig().setEnabled(true)
                    .setProperty("service-dns", k.serviceDns())
                    .setProperty("service-port", Integer.toString(port));
        }
    }
}
