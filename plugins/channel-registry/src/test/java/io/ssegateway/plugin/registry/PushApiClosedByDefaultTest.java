package io.ssegateway.plugin.registry;

import static io.ssegateway.plugin.registry.RegistryFixtures.WAIT;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.ssegateway.host.Gateway;
import io.ssegateway.host.testkit.Addresses;
import io.ssegateway.host.testkit.LogCapture;
import io.ssegateway.host.testkit.RawHttp;
import io.ssegateway.host.testkit.SseClient;
import io.ssegateway.host.testkit.TestGateways;
import io.ssegateway.plugin.redis.RedisFixtures;
import io.ssegateway.redis.RedisPerClass;
import io.ssegateway.spi.PluginConfig;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * The channel registry with its defaults (no push token): the push API listens on loopback only, says so, answers
 * only requests for a loopback host (DNS rebinding), and HEAD works where GET does.
 */
class PushApiClosedByDefaultTest {

    @RegisterExtension
    static final RedisPerClass REDIS = new RedisPerClass();

    @Test
    void withoutATokenThePushApiIsLoopbackOnly() throws Exception {
        ChannelRegistrySource source = (ChannelRegistrySource) new ChannelRegistrySource.Factory().create(PluginConfig.of(
                "gateway.source.channel-registry", Map.of("redis-url", REDIS.server().url(), "push-port", "0")));
        try (LogCapture log = LogCapture.of(ChannelRegistrySource.class)) {
            Gateway gateway = TestGateways.builder().source(source).storage(RedisFixtures.storage(REDIS.server()))
                    .build().start();
            try {
                SseClient.awaitCondition(() -> source.pushPort() > 0, WAIT, () -> "the push API did not start");
                int port = source.pushPort();
                assertTrue(log.contains("listens on 127.0.0.1 only"), log.messages().toString());

                InetAddress external = Addresses.nonLoopback();
                try (Socket socket = new Socket()) {
                    assertThrows(IOException.class, () -> socket.connect(new InetSocketAddress(external, port), 2000),
                            "the push port answered on " + external);
                }

                RawHttp.Response rebound = RawHttp.exchange(port, "GET /instances HTTP/1.1\r\nHost: rebind.attacker.example:"
                        + port + "\r\nConnection: close\r\n\r\n", false);
                assertEquals(403, rebound.status(), rebound.body());
                assertTrue(rebound.body().contains("loopback host"), rebound.body());
                String body = "{\"channel_id\":\"c\",\"event_type\":\"t\",\"data\":\"x\"}";
                RawHttp.Response push = RawHttp.exchange(port, "POST /push HTTP/1.1\r\nHost: evil.example\r\n"
                        + "Content-Type: application/json\r\nContent-Length: " + body.length() + "\r\nConnection: close\r\n\r\n"
                        + body, false);
                assertEquals(403, push.status(), push.body());

                // The registry connects to Redis in the background: 503 until it has.
                String getInstances = "GET /instances HTTP/1.1\r\nHost: localhost:" + port + "\r\nConnection: close\r\n\r\n";
                SseClient.awaitCondition(() -> RawHttp.exchange(port, getInstances, false).status() != 503, WAIT,
                        () -> "the registry did not connect to Redis");
                RawHttp.Response get = RawHttp.exchange(port, getInstances, false);
                assertEquals(200, get.status(), get.body());
                RawHttp.Response head = RawHttp.exchange(port, "HEAD /instances HTTP/1.1\r\nHost: 127.0.0.1\r\n"
                        + "Connection: close\r\n\r\n", false);
                assertEquals(200, head.status(), head.head());
                assertEquals("", head.body());
            } finally {
                gateway.stop();
            }
        }
    }
}
