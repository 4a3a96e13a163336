package com.parchchat.testkit.netns;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.ThreadLocalRandom;

/**
 * "Two LANs behind two strict NATs plus a public host", built from network namespaces (root only):
 *
 * <pre>
 *   lan-a host ──veth── nat-a ─┐                 ┌─ nat-b ──veth── lan-b host
 *   10.201.1.2      10.201.1.1 │   wan (bridge)  │ 10.201.2.1      10.201.2.2
 *                  WAN .0.2 ───┴──── br0 ────────┴─── WAN .0.3
 *                                     │
 *                               pub host  WAN .0.1
 * </pre>
 *
 * Each NAT forwards lan→wan with iptables (nf_tables) MASQUERADE, FORWARD policy DROP except
 * lan→wan and established/related, and drops NEW inbound UDP on its WAN interface so the NAT is
 * strict (no early inbound packet can make conntrack remap a port). The LAN hosts have a default
 * route via their NAT; the public host has no route to the LANs. So LAN hosts reach the public host
 * (which sees the NAT's WAN address), but not each other — exactly where TURN is needed.
 *
 * <p>Namespace names carry a random id, so tests may build topologies in parallel. The WAN
 * subnet (default {@code 10.200.0.0/24}) is configurable, e.g. to a documentation range such as
 * {@code 198.51.100} when the server under test refuses private peer addresses. Everything is
 * deleted by {@link #close()}, also when building fails half-way. Build ≈ 0.3 s, teardown ≈ 0.1 s.
 */
public final class NatTopology implements AutoCloseable {

    /** One side: a host on a LAN behind its NAT. */
    public record Site(NetNs host, NetNs nat, String hostAddress, String natLanAddress, String natWanAddress,
                       String lanCidr) {
    }

    private final String id;
    private final List<NetNs> created = new ArrayList<>();
    private final NetNs wan;
    private final NetNs pub;
    private final String publicAddress;
    private final Site siteA;
    private final Site siteB;

    private NatTopology(String wanPrefix) {
        this.id = Long.toHexString(ThreadLocalRandom.current().nextLong() & 0xffffffL);
        String base = "parch-" + id;
        try {
            this.wan = track(NetNs.create(base + "-wan"));
            this.pub = track(NetNs.create(base + "-pub"));
            wan.exec("ip", "link", "add", "br0", "type", "bridge");
            wan.exec("ip", "link", "set", "br0", "up");
            this.publicAddress = wanPrefix + ".1";
            link(pub, "eth0", wan, "pub0");
            wan.exec("ip", "link", "set", "pub0", "master", "br0", "up");
            pub.exec("ip", "addr", "add", publicAddress + "/24", "dev", "eth0");
            pub.exec("ip", "link", "set", "eth0", "up");
            this.siteA = site(base, "a", wanPrefix + ".2", "10.201.1");
            this.siteB = site(base, "b", wanPrefix + ".3", "10.201.2");
        } catch (RuntimeException e) {
            close();
            throw e;
        }
    }

    /** Builds the topology with WAN subnet {@code 10.200.0.0/24}. */
    public static NatTopology create() {
        return create("10.200.0");
    }

    /** Builds the topology with WAN subnet {@code <wanPrefix>.0/24} (three octets, e.g. "198.51.100"). */
    public static NatTopology create(String wanPrefix) {
        if (wanPrefix == null || !wanPrefix.matches("\\d{1,3}\\.\\d{1,3}\\.\\d{1,3}")) {
            throw new IllegalArgumentException("wanPrefix must be three octets like 10.200.0: " + wanPrefix);
        }
        if (wanPrefix.startsWith("10.201.") || wanPrefix.startsWith("127.")) {
            throw new IllegalArgumentException("wanPrefix clashes with the LAN or loopback ranges: " + wanPrefix);
        }
        return new NatTopology(wanPrefix);
    }

    private NetNs track(NetNs ns) {
        created.add(ns);
        return ns;
    }

    private Site site(String base, String letter, String wanAddress, String lanPrefix) {
        NetNs nat = track(NetNs.create(base + "-nat" + letter));
        NetNs host = track(NetNs.create(base + "-lan" + letter));
        String bridgePort = "nat" + letter + "0";
        link(nat, "wan0", wan, bridgePort);
        wan.exec("ip", "link", "set", bridgePort, "master", "br0", "up");
        nat.exec("ip", "addr", "add", wanAddress + "/24", "dev", "wan0");
        nat.exec("ip", "link", "set", "wan0", "up");

        link(nat, "lan0", host, "eth0");
        String natLan = lanPrefix + ".1";
        String hostAddr = lanPrefix + ".2";
        String cidr = lanPrefix + ".0/24";
        nat.exec("ip", "addr", "add", natLan + "/24", "dev", "lan0");
        nat.exec("ip", "link", "set", "lan0", "up");
        host.exec("ip", "addr", "add", hostAddr + "/24", "dev", "eth0");
        host.exec("ip", "link", "set", "eth0", "up");
        host.exec("ip", "route", "add", "default", "via", natLan);

        nat.exec("sysctl", "-q", "-w", "net.ipv4.ip_forward=1");
        nat.exec("iptables", "-t", "nat", "-A", "POSTROUTING", "-s", cidr, "-o", "wan0", "-j", "MASQUERADE");
        nat.exec("iptables", "-P", "FORWARD", "DROP");
        nat.exec("iptables", "-A", "FORWARD", "-i", "lan0", "-o", "wan0", "-j", "ACCEPT");
        nat.exec("iptables", "-A", "FORWARD", "-m", "conntrack", "--ctstate", "ESTABLISHED,RELATED", "-j", "ACCEPT");
        nat.exec("iptables", "-A", "INPUT", "-i", "wan0", "-p", "udp", "-m", "conntrack", "--ctstate", "NEW",
                "-j", "DROP");
        return new Site(host, nat, hostAddr, natLan, wanAddress, cidr);
    }

    /** A veth pair with one end in each namespace. */
    private static void link(NetNs a, String nameInA, NetNs b, String nameInB) {
        a.exec("ip", "link", "add", nameInA, "type", "veth", "peer", "name", nameInB, "netns", b.name());
    }

    /** The random id in every namespace name of this topology. */
    public String id() {
        return id;
    }

    /** The "internet" host (run servers here: TURN, SFU, relay). */
    public NetNs publicHost() {
        return pub;
    }

    public String publicAddress() {
        return publicAddress;
    }

    /** The namespace holding the WAN bridge (no addresses of its own). */
    public NetNs wan() {
        return wan;
    }

    public Site siteA() {
        return siteA;
    }

    public Site siteB() {
        return siteB;
    }

    /** All namespaces, in creation order. */
    public List<NetNs> namespaces() {
        return Collections.unmodifiableList(created);
    }

    /** Deletes every namespace created (in reverse order); idempotent; reports the first failure. */
    @Override
    public void close() {
        RuntimeException first = null;
        for (int i = created.size() - 1; i >= 0; i--) {
            try {
                created.get(i).close();
            } catch (RuntimeException e) {
                if (first == null) {
                    first = e;
                }
            }
        }
        if (first != null) {
            throw first;
        }
    }

    @Override
    public String toString() {
        return String.format(Locale.ROOT, "NatTopology[%s, public %s, A %s via %s, B %s via %s]", id, publicAddress,
                siteA == null ? "?" : siteA.hostAddress(), siteA == null ? "?" : siteA.natWanAddress(),
                siteB == null ? "?" : siteB.hostAddress(), siteB == null ? "?" : siteB.natWanAddress());
    }
}
