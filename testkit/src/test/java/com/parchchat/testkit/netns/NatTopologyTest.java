package com.parchchat.testkit.netns;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.parchchat.testkit.process.ServiceProcess;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Needs root (as CI is): builds real namespaces, veths, a bridge and iptables NATs. */
class NatTopologyTest {

    private static final int PORT = 4000;

    @Test
    void lanHostsReachThePublicHostThroughTheirNatButNotEachOther() {
        List<String> names;
        try (NatTopology topo = NatTopology.create()) {
            names = topo.namespaces().stream().map(NetNs::name).toList();
            assertThat(names).hasSize(6).allMatch(n -> n.startsWith("parch-" + topo.id()));
            NatTopology.Site a = topo.siteA();
            NatTopology.Site b = topo.siteB();

            try (ServiceProcess pubEcho = topo.publicHost().startJava("pub-echo", UdpTool.class, "echo", "" + PORT);
                 ServiceProcess bEcho = b.host().startJava("lanb-echo", UdpTool.class, "echo", "" + PORT)) {
                pubEcho.awaitOutput("ready", Duration.ofSeconds(20));
                bEcho.awaitOutput("ready", Duration.ofSeconds(20));

                try (ServiceProcess probe = a.host().startJava("lana-probe", UdpTool.class, "probe",
                        topo.publicAddress() + ":" + PORT,      // the public host: reachable
                        b.hostAddress() + ":" + PORT,           // the other LAN host: no route
                        b.natWanAddress() + ":" + PORT)) {      // the other NAT: drops NEW inbound UDP
                    probe.awaitOutput("done", Duration.ofSeconds(20));
                    String out = probe.output();
                    // the public host sees the NAT's WAN address, never the LAN address
                    assertThat(out).contains("reply " + topo.publicAddress() + ":" + PORT + " from " + a.natWanAddress());
                    assertThat(out).doesNotContain("reply " + b.hostAddress());
                    assertThat(out).doesNotContain("reply " + b.natWanAddress());
                }
                assertThat(pubEcho.output()).contains("seen " + a.natWanAddress()).doesNotContain("seen 10.201.");
                assertThat(bEcho.output()).doesNotContain("seen ");
            }
        }
        // everything is gone again
        String left = new NetNsListing().names();
        for (String n : names) {
            assertThat(left).doesNotContain(n);
        }
    }

    @Test
    void commandsRunInsideTheNamespaceAndBadNamesAreRejected() {
        try (NetNs ns = NetNs.create("parch-t-" + Long.toHexString(System.nanoTime() & 0xffffff))) {
            assertThat(ns.exec("ip", "-o", "link", "show")).contains("lo").doesNotContain("eth0");
            assertThat(ns.tryExec(5000, "ip", "route", "get", "8.8.8.8").exitCode()).isNotZero();
            assertThatThrownBy(() -> ns.exec("false")).isInstanceOf(NetNsException.class);
            ns.close();
            ns.close();
        }
        assertThatThrownBy(() -> NetNs.create("Bad Name")).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> NatTopology.create("10.201.0")).isInstanceOf(IllegalArgumentException.class);
    }

    /** Lists the namespaces that exist now. */
    private static final class NetNsListing {
        String names() {
            return Cmd.check(List.of("ip", "netns", "list"));
        }
    }
}
