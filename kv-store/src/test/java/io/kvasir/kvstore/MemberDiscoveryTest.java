package io.kvasir.kvstore;

import com.hazelcast.config.Config;
import com.hazelcast.config.ConfigXmlGenerator;
import com.hazelcast.config.JoinConfig;
import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Environment → member discovery → Hazelcast's join configuration (no cluster: the mapping only). */
class MemberDiscoveryTest {

    private static final List<String> LOCAL = List.of("127.0.0.1:5701", "127.0.0.1:5702");

    private static Config member(MemberDiscovery discovery) {
        return KvStoreMaps.memberConfig("c", 5701, discovery, 1, 64, 60);
    }

    @Test
    void withoutKubernetesVariablesMembersJoinOverLoopbackTcpIp() {
        MemberDiscovery d = MemberDiscovery.from(Map.of("HOME", "/root", MemberDiscovery.SERVICE_NAME, "  "), LOCAL);
        assertEquals(new MemberDiscovery.Loopback(LOCAL), d);
        Config c = member(d);
        JoinConfig join = c.getNetworkConfig().getJoin();
        assertTrue(join.getTcpIpConfig().isEnabled());
        assertEquals(LOCAL, join.getTcpIpConfig().getMembers());
        assertFalse(join.getKubernetesConfig().isEnabled());
        assertFalse(join.getMulticastConfig().isEnabled());
        assertFalse(join.getAutoDetectionConfig().isEnabled());
        assertTrue(c.getNetworkConfig().getInterfaces().isEnabled());
        assertEquals(List.of("127.0.0.1"), List.copyOf(c.getNetworkConfig().getInterfaces().getInterfaces()));
    }

    @Test
    void aServiceNameSelectsTheKubernetesApiJoin() {
        MemberDiscovery d = MemberDiscovery.from(Map.of(MemberDiscovery.SERVICE_NAME, "kvasir-kv-store",
                MemberDiscovery.NAMESPACE, "serving"), LOCAL);
        assertEquals(new MemberDiscovery.KubernetesApi("kvasir-kv-store", "serving"), d);
        Config c = member(d);
        JoinConfig join = c.getNetworkConfig().getJoin();
        assertTrue(join.getKubernetesConfig().isEnabled());
        assertEquals(Map.of("service-name", "kvasir-kv-store", "namespace", "serving"), join.getKubernetesConfig().getProperties());
        assertFalse(join.getTcpIpConfig().isEnabled());
        assertFalse(join.getMulticastConfig().isEnabled());
        assertFalse(join.getAutoDetectionConfig().isEnabled());
        assertFalse(c.getNetworkConfig().getInterfaces().isEnabled(), "a pod listens on its own address, not loopback");
        // Hazelcast's own rendering of the config carries the join as its YAML/XML files would.
        String xml = new ConfigXmlGenerator(true, false).generate(c);
        assertTrue(xml.contains("<kubernetes enabled=\"true\">"), xml);
        assertTrue(xml.contains("<service-name>kvasir-kv-store</service-name>"), xml);
    }

    @Test
    void withoutANamespaceThePodsOwnIsUsed() {
        MemberDiscovery d = MemberDiscovery.from(Map.of(MemberDiscovery.SERVICE_NAME, "kv"), LOCAL);
        assertEquals(new MemberDiscovery.KubernetesApi("kv", null), d);
        assertNull(member(d).getNetworkConfig().getJoin().getKubernetesConfig().getProperty("namespace"));
    }

    @Test
    void aServiceDnsNameSelectsTheDnsLookupJoinOnTheMemberPort() {
        MemberDiscovery d = MemberDiscovery.from(Map.of(MemberDiscovery.SERVICE_DNS, "kv.serving.svc.cluster.local"), LOCAL);
        assertEquals(new MemberDiscovery.KubernetesDns("kv.serving.svc.cluster.local"), d);
        Config c = KvStoreMaps.memberConfig("c", 5801, d, 1, 64, 60);
        JoinConfig join = c.getNetworkConfig().getJoin();
        assertTrue(join.getKubernetesConfig().isEnabled());
        assertEquals(Map.of("service-dns", "kv.serving.svc.cluster.local", "service-port", "5801"),
                join.getKubernetesConfig().getProperties());
        assertFalse(join.getTcpIpConfig().isEnabled());
    }

    @Test
    void contradictoryOrIncompleteSettingsAreRefusedWithTheirNames() {
        IllegalArgumentException both = assertThrows(IllegalArgumentException.class, () -> MemberDiscovery.from(Map.of(
                MemberDiscovery.SERVICE_DNS, "kv.ns.svc", MemberDiscovery.SERVICE_NAME, "kv"), LOCAL));
        assertTrue(both.getMessage().contains(MemberDiscovery.SERVICE_DNS), both.getMessage());
        IllegalArgumentException namespaceOnly = assertThrows(IllegalArgumentException.class,
                () -> MemberDiscovery.from(Map.of(MemberDiscovery.NAMESPACE, "ns"), LOCAL));
        assertTrue(namespaceOnly.getMessage().contains(MemberDiscovery.SERVICE_NAME), namespaceOnly.getMessage());
    }
}
