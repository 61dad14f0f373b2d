package io.ssegateway.plugin.jwt;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.nimbusds.jose.jwk.JWKSet;
import com.nimbusds.jose.jwk.RSAKey;
import com.nimbusds.jwt.JWTClaimsSet;
import com.sun.net.httpserver.HttpServer;
import io.ssegateway.host.Gateway;
import io.ssegateway.host.testkit.Gateways;
import io.ssegateway.host.testkit.Http;
import io.ssegateway.host.testkit.SseClient;
import io.ssegateway.host.testkit.TestGateways;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.security.KeyPair;
import java.security.interfaces.RSAPublicKey;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** Keys from a JWKS URL served by a local HTTP server that rotates its keys during the test. */
class JwksTest {

    private static final Duration WAIT = Duration.ofSeconds(10);

    @RegisterExtension
    final Gateways gateways = new Gateways();

    private final AtomicReference<String> document = new AtomicReference<>();
    private final AtomicInteger fetches = new AtomicInteger();
    private HttpServer server;

    private String startJwksServer() throws Exception {
        server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
        server.setExecutor(Executors.newVirtualThreadPerTaskExecutor());
        server.createContext("/jwks.json", exchange -> {
            try (exchange) {
                fetches.incrementAndGet();
                String body = document.get();
                if (body == null) {
                    exchange.sendResponseHeaders(503, -1);
                    return;
                }
                byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
                exchange.getResponseHeaders().set("Content-Type", "application/json");
                exchange.sendResponseHeaders(200, bytes.length);
                exchange.getResponseBody().write(bytes);
            }
        });
        server.start();
        return "http://127.0.0.1:" + server.getAddress().getPort() + "/jwks.json";
    }

    @AfterEach
    void stopServer() {
        if (server != null) {
            server.stop(0);
        }
    }

    private static String jwks(KeyPair keys, String kid) {
        return new JWKSet(new RSAKey.Builder((RSAPublicKey) keys.getPublic()).keyID(kid).build()).toString();
    }

    private static int status(Gateway gateway, String token) throws Exception {
        try (SseClient client = SseClient.connect(gateway.port(), "/sse/connect?channel_id=c",
                SseClient.options().header("Authorization", "Bearer " + token))) {
            return client.status();
        }
    }

    @Test
    void keysRotateAndAnUnknownKidIsFetchedAgain() throws Exception {
        String url = startJwksServer();
        KeyPair first = Tokens.rsa();
        KeyPair second = Tokens.rsa();
        document.set(jwks(first, "k1"));
        Gateway gateway = gateways.start(TestGateways.builder().auth(Tokens.authenticator(Map.of(
                "jwks-url", url, "jwks-refetch-min-interval", "0s"))));
        JWTClaimsSet.Builder claims = Tokens.claims("alice").claim("channels", List.of("*"));
        SseClient.awaitCondition(() -> Http.get(gateway.port(), "/ready").status() == 200, WAIT, () -> "not ready");
        assertEquals(200, status(gateway, Tokens.rs256(first, "k1", claims)));

        // the provider rotates: k2 replaces k1
        document.set(jwks(second, "k2"));
        int before = fetches.get();
        assertEquals(200, status(gateway, Tokens.rs256(second, "k2", claims)), "the new kid triggers a fetch");
        assertEquals(before + 1, fetches.get());
        // k1 is gone now: a fetch for it finds nothing
        assertEquals(401, status(gateway, Tokens.rs256(first, "k1", claims)));
        // a token signed with another key under a known kid is a bad signature, not a reason to fetch
        int afterRotation = fetches.get();
        assertEquals(401, status(gateway, Tokens.rs256(first, "k2", claims)));
        assertEquals(afterRotation, fetches.get());
    }

    @Test
    void unknownKidFetchesAreRateLimited() throws Exception {
        String url = startJwksServer();
        KeyPair first = Tokens.rsa();
        document.set(jwks(first, "k1"));
        Gateway gateway = gateways.start(TestGateways.builder().auth(Tokens.authenticator(Map.of(
                "jwks-url", url, "jwks-refetch-min-interval", "10m"))));
        SseClient.awaitCondition(() -> Http.get(gateway.port(), "/ready").status() == 200, WAIT, () -> "not ready");
        int loaded = fetches.get();
        JWTClaimsSet.Builder claims = Tokens.claims("alice").claim("channels", List.of("*"));
        for (int i = 0; i < 20; i++) {
            SseClient client = SseClient.connect(gateway.port(), "/sse/connect?channel_id=c", SseClient.options()
                    .header("Authorization", "Bearer " + Tokens.rs256(first, "forged-" + i, claims)));
            assertEquals(401, client.status());
            assertTrue(client.errorBody().contains("no key has the token's key id (kid)"), client.errorBody());
            client.close();
        }
        assertTrue(fetches.get() <= loaded + 1, "forged key ids made " + (fetches.get() - loaded) + " fetches");
        assertEquals(200, status(gateway, Tokens.rs256(first, "k1", claims)));
    }

    @Test
    void notReadyUntilTheKeysAreLoadedAndA503Meanwhile() throws Exception {
        String url = startJwksServer();
        KeyPair keys = Tokens.rsa();
        Gateway gateway = gateways.start(TestGateways.builder().auth(Tokens.authenticator(Map.of(
                "jwks-url", url, "jwks-refetch-min-interval", "0s"))));
        SseClient.awaitCondition(() -> fetches.get() >= 1, WAIT, () -> "no first fetch");
        Http.Response ready = Http.get(gateway.port(), "/ready");
        assertEquals(503, ready.status());
        assertTrue(ready.body().contains("the authenticator is unavailable"), ready.body());
        JWTClaimsSet.Builder claims = Tokens.claims("alice").claim("channels", List.of("*"));
        SseClient unavailable = SseClient.connect(gateway.port(), "/sse/connect?channel_id=c",
                SseClient.options().header("Authorization", "Bearer " + Tokens.rs256(keys, "k1", claims)));
        assertEquals(503, unavailable.status());
        assertTrue(unavailable.header("retry-after") != null);

        document.set(jwks(keys, "k1"));
        SseClient.awaitCondition(() -> Http.get(gateway.port(), "/ready").status() == 200, WAIT,
                () -> "still not ready after the JWKS came up");
        assertEquals(200, status(gateway, Tokens.rs256(keys, "k1", claims)));
    }
}
