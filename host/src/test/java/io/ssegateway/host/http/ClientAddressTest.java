package io.ssegateway.host.http;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import io.ssegateway.host.Gateway;
import io.ssegateway.host.testkit.Gateways;
import io.ssegateway.host.testkit.Http;
import io.ssegateway.host.testkit.RecordingListener;
import io.ssegateway.host.testkit.SseClient;
import io.ssegateway.host.testkit.TestGateways;
import io.ssegateway.spi.auth.AuthResult;
import io.ssegateway.spi.auth.Identity;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * The client address is the socket peer unless the peer is a trusted proxy: a client cannot choose the address its
 * connections count against, nor what authenticators, listeners and the stats see.
 */
class ClientAddressTest {

    private static final Duration WAIT = Duration.ofSeconds(10);
    @RegisterExtension
    final Gateways gateways = new Gateways();

    private static InetSocketAddress peer(String ip) throws Exception {
        return new InetSocketAddress(InetAddress.getByName(ip), 40000);
    }

    private static ClientAddress trusting(String... cidrs) {
        return new ClientAddress(List.of(cidrs).stream().map(Cidr::parse).toList());
    }

    @Test
    void withoutTrustedProxiesForwardingHeadersAreIgnored() throws Exception {
        assertEquals("192.0.2.7", trusting().resolve(peer("192.0.2.7"), List.of("for=10.1.1.1"), List.of("10.2.2.2")));
    }

    @Test
    void aPeerThatIsNotTrustedIsTheClientWhateverItForwards() throws Exception {
        assertEquals("192.0.2.7", trusting("10.0.0.0/8").resolve(peer("192.0.2.7"), List.of(), List.of("198.51.100.1")));
    }

    @Test
    void behindTrustedProxiesTheRightMostUntrustedEntryIsTheClient() throws Exception {
        ClientAddress address = trusting("10.0.0.0/8", "fd00::/8");
        // the client wrote "6.6.6.6" itself; the first proxy appended the address it saw
        assertEquals("198.51.100.9", address.resolve(peer("10.0.0.2"), List.of(),
                List.of("6.6.6.6, 198.51.100.9", "10.0.0.1")));
        assertEquals("2001:db8:0:0:0:0:0:1", address.resolve(peer("10.0.0.2"),
                List.of("for=\"[2001:db8::1]:4711\";proto=https, for=10.0.0.3"), List.of("6.6.6.6")));
        assertEquals("198.51.100.9", address.resolve(peer("fd00::1"), List.of("For=198.51.100.9:1234"), List.of()));
        // all trusted: the farthest proxy is what is known
        assertEquals("10.0.0.1", address.resolve(peer("10.0.0.2"), List.of(), List.of("10.0.0.1")));
        // no header at all: the proxy itself
        assertEquals("10.0.0.2", address.resolve(peer("10.0.0.2"), List.of(), List.of()));
    }

    @Test
    void anEntryThatIsNoAddressEndsTheWalkAtTheLastTrustedHop() throws Exception {
        ClientAddress address = trusting("10.0.0.0/8");
        assertEquals("10.0.0.2", address.resolve(peer("10.0.0.2"), List.of(), List.of("<script>alert(1)</script>")));
        assertEquals("10.0.0.1", address.resolve(peer("10.0.0.2"), List.of(), List.of("evil.example, 10.0.0.1")));
        assertEquals("10.0.0.2", address.resolve(peer("10.0.0.2"), List.of("for=unknown"), List.of()));
    }

    @Test
    void cidrBlocksAreParsedStrictly() throws Exception {
        assertTrue(Cidr.parse("10.0.0.0/8").contains(InetAddress.getByName("10.255.1.2")));
        assertFalse(Cidr.parse("10.0.0.0/8").contains(InetAddress.getByName("11.0.0.1")));
        assertTrue(Cidr.parse("192.168.1.128/25").contains(InetAddress.getByName("192.168.1.200")));
        assertFalse(Cidr.parse("192.168.1.128/25").contains(InetAddress.getByName("192.168.1.100")));
        assertTrue(Cidr.parse("::1").contains(InetAddress.getByName("::1")));
        assertFalse(Cidr.parse("::1").contains(InetAddress.getByName("127.0.0.1")));
        assertTrue(Cidr.parse("0.0.0.0/0").contains(InetAddress.getByName("203.0.113.5")));
        for (String bad : new String[] {"localhost", "10.0.0.0/33", "10.0.0.256", "10.0.0.0/x", "", "::1/129", "1.2.3"}) {
            assertThrows(IllegalArgumentException.class, () -> Cidr.parse(bad), bad);
        }
    }

    @Test
    void aBadTrustedProxyIsAConfigurationError() {
        IllegalStateException e = assertThrows(IllegalStateException.class,
                () -> TestGateways.builder().trustedProxies(List.of("proxy.internal")).build());
        assertTrue(e.getMessage().contains("proxy.internal"), e.getMessage());
    }

    /** The attack: random X-Forwarded-For values get round max-connections-per-ip, and end up in the stats. */
    @Test
    void spoofedForwardedForNeitherEscapesThePerAddressLimitNorReachesTheStats() throws Exception {
        RecordingListener listener = new RecordingListener();
        List<String> askedIps = new CopyOnWriteArrayList<>();
        Gateway gateway = gateways.start(TestGateways.builder().maxConnectionsPerIp(3).listener(listener)
                .auth(request -> {
                    askedIps.add(request.clientIp());
                    return AuthResult.allow(Identity.ANONYMOUS);
                }));
        int port = gateway.port();
        List<SseClient> clients = new ArrayList<>();
        try {
            for (int i = 0; i < 3; i++) {
                clients.add(SseClient.connect(port, "/sse/connect?channel_id=c", SseClient.options()
                        .header("X-Forwarded-For", "<script>" + UUID.randomUUID() + "</script>")));
                assertEquals(200, clients.get(i).status());
            }
            try (SseClient fourth = SseClient.connect(port, "/sse/connect?channel_id=c",
                    SseClient.options().header("X-Forwarded-For", "203.0.113.99"))) {
                assertEquals(503, fourth.status(), "a fourth connection from one address got in by forging its address");
            }
            JsonNode stats = Http.get(port, "/api/stats").json();
            for (JsonNode connection : stats.get("connections")) {
                assertEquals("127.0.0.1", connection.get("client_ip").asText());
            }
            assertTrue(askedIps.stream().allMatch("127.0.0.1"::equals), askedIps.toString());
            SseClient.awaitCondition(() -> listener.infos.size() == 3, WAIT, () -> "connected");
            listener.infos.values().forEach(info -> assertEquals("127.0.0.1", info.clientIp()));
        } finally {
            clients.forEach(SseClient::close);
        }
    }

    @Test
    void behindATrustedProxyTheForwardedClientCounts() throws Exception {
        Gateway gateway = gateways.start(TestGateways.builder().maxConnectionsPerIp(1)
                .trustedProxies(List.of("127.0.0.0/8")));
        int port = gateway.port();
        try (SseClient a = SseClient.connect(port, "/sse/connect?channel_id=c",
                SseClient.options().header("X-Forwarded-For", "6.6.6.6, 198.51.100.1"));
             SseClient b = SseClient.connect(port, "/sse/connect?channel_id=c",
                     SseClient.options().header("X-Forwarded-For", "198.51.100.2"));
             SseClient again = SseClient.connect(port, "/sse/connect?channel_id=c",
                     SseClient.options().header("X-Forwarded-For", "7.7.7.7, 198.51.100.1"))) {
            assertEquals(200, a.status());
            assertEquals(200, b.status(), "another client behind the proxy has its own slot");
            assertEquals(503, again.status(), "the same client behind the proxy, whatever it wrote to the left");
            List<String> ips = new ArrayList<>();
            Http.get(port, "/api/stats").json().get("connections").forEach(c -> ips.add(c.get("client_ip").asText()));
            assertEquals(List.of("198.51.100.1", "198.51.100.2"), ips.stream().sorted().toList());
        }
    }
}
