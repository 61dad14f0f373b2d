package io.ssegateway.host.sse;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.ssegateway.host.Gateway;
import io.ssegateway.host.testkit.Gateways;
import io.ssegateway.host.testkit.Http;
import io.ssegateway.host.testkit.SseClient;
import io.ssegateway.host.testkit.TestGateways;
import io.ssegateway.spi.auth.AuthRequest;
import io.ssegateway.spi.auth.AuthResult;
import io.ssegateway.spi.auth.Denial;
import io.ssegateway.spi.auth.Identity;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

class AuthTest {

    private static final Duration WAIT = Duration.ofSeconds(10);
    @RegisterExtension
    final Gateways gateways = new Gateways();
    private Gateway gateway;


    @Test
    void aBearerTokenCheckAllowsAndDeniesWithText() throws Exception {
        gateway = gateways.start(TestGateways.builder()
                .auth(request -> request.bearerToken().filter("secret-token"::equals).isPresent()
                        ? AuthResult.allow(Identity.of("token-holder")) : AuthResult.deny(Denial.deny(401, "Invalid token"))));
        try (SseClient allowed = SseClient.connect(gateway.port(), "/sse/connect?channel_id=c",
                SseClient.options().header("Authorization", "Bearer secret-token"))) {
            assertEquals(200, allowed.status());
            SseClient.awaitCondition(() -> Http.get(gateway.port(), "/api/stats").body().contains("token-holder"), WAIT,
                    () -> "the subject is not listed in /api/stats");
        }
        SseClient denied = SseClient.connect(gateway.port(), "/sse/connect?channel_id=c",
                SseClient.options().header("Authorization", "Bearer wrong"));
        assertEquals(401, denied.status());
        assertEquals("Invalid token", denied.errorBody());
        assertTrue(denied.header("content-type").startsWith("text/plain"));
        assertEquals(1, gateway.metrics().authDenied.sum());
    }

    @Test
    void aJsonDenialIsSentExactlyAsGiven() throws Exception {
        String json = "{\"code\": \"forbidden\",  \"channels\": [1, 2]}";
        gateway = gateways.start(TestGateways.builder().auth(request -> AuthResult.deny(Denial.denyJson(403, json))));
        SseClient denied = SseClient.subscribe(gateway.port(), "c");
        assertEquals(403, denied.status());
        assertEquals(json, denied.errorBody());
        assertEquals("application/json", denied.header("content-type"));
    }

    @Test
    void aDenialsHeadersAreSent() throws Exception {
        gateway = gateways.start(TestGateways.builder().auth(request -> AuthResult.deny(Denial.denyJson(401, "{}")
                .withHeader("WWW-Authenticate", "Bearer realm=\"sse\", error=\"invalid_token\"")
                .withHeader("Content-Type", "text/html"))));
        SseClient denied = SseClient.subscribe(gateway.port(), "c");
        assertEquals(401, denied.status());
        assertEquals("Bearer realm=\"sse\", error=\"invalid_token\"", denied.header("www-authenticate"));
        assertEquals("application/json", denied.header("content-type"), "the denial's content type wins");
        assertEquals("*", denied.header("access-control-allow-origin"), "CORS headers stay");
    }

    @Test
    void everyRequestHelperSeesWhatTheClientSent() throws Exception {
        AtomicReference<AuthRequest> seen = new AtomicReference<>();
        gateway = gateways.start(TestGateways.builder().auth(request -> {
            seen.set(request);
            return AuthResult.allow();
        }));
        try (SseClient client = SseClient.connect(gateway.port(),
                "/sse/connect?channel_id=room%201&token=a%2Bb%20c&flag", SseClient.options()
                        .header("Authorization", "bearer  tok-123 ")
                        .header("X-Tenant", "acme")
                        .header("Cookie", "theme=dark; session=\"s-42\"; other=1"))) {
            assertEquals(200, client.status());
        }
        AuthRequest request = seen.get();
        assertEquals("GET", request.method());
        assertEquals("/sse/connect", request.path());
        assertEquals("channel_id=room%201&token=a%2Bb%20c&flag", request.queryString());
        assertEquals("/sse/connect?channel_id=room%201&token=a%2Bb%20c&flag", request.uri());
        assertEquals("room 1", request.channelId());
        assertEquals(List.of("room 1"), request.channelIds());
        assertEquals(Optional.of("tok-123"), request.bearerToken());
        assertEquals(Optional.of("acme"), request.header("x-tenant"));
        assertEquals(Optional.of("acme"), request.header("X-TENANT"));
        assertEquals(List.of("acme"), request.headers().get("x-tenant"));
        assertEquals(Optional.of("s-42"), request.cookie("session"));
        assertEquals(Optional.of("dark"), request.cookie("theme"));
        assertEquals(Optional.empty(), request.cookie("missing"));
        assertEquals(Optional.of("a+b c"), request.queryParam("token"));
        assertEquals(Optional.of(""), request.queryParam("flag"));
        assertEquals(Optional.empty(), request.queryParam("nope"));
        assertEquals("127.0.0.1", request.clientIp());
    }

    @Test
    void clientIpIsTheSocketPeerUnlessItIsATrustedProxy() throws Exception {
        AtomicReference<String> ip = new AtomicReference<>();
        gateway = gateways.start(TestGateways.builder().host("0.0.0.0").trustedProxies(List.of("127.0.0.2"))
                .auth(request -> {
                    ip.set(request.clientIp());
                    return AuthResult.allow();
                }));
        try (SseClient client = SseClient.connect(gateway.port(), "/sse/connect?channel_id=c",
                SseClient.options().header("X-Forwarded-For", " 203.0.113.7 , 10.0.0.1"))) {
            assertEquals(200, client.status());
            assertEquals("127.0.0.1", ip.get(), "a peer that is no trusted proxy forwards nothing");
        }
        try (SseClient client = SseClient.connect(gateway.port(), "/sse/connect?channel_id=c",
                SseClient.options().from("127.0.0.2").header("X-Forwarded-For", " 203.0.113.7 , 10.0.0.1"))) {
            assertEquals(200, client.status());
            assertEquals("10.0.0.1", ip.get(), "the right-most entry the trusted proxy appended");
        }
        try (SseClient client = SseClient.connect(gateway.port(), "/sse/connect?channel_id=c",
                SseClient.options().from("127.0.0.3"))) {
            assertEquals(200, client.status());
            assertEquals("127.0.0.3", ip.get());
        }
    }

    @Test
    void aFailingAuthenticatorAnswers503AndIsCounted() throws Exception {
        gateway = gateways.start(TestGateways.builder().auth(request -> {
            throw new java.io.IOException("identity service unreachable");
        }));
        SseClient client = SseClient.subscribe(gateway.port(), "c");
        assertEquals(503, client.status());
        assertTrue(client.errorBody().contains("authentication is unavailable"), client.errorBody());
        assertTrue(client.header("retry-after") != null);
        assertEquals(1, gateway.metrics().authErrors.sum());
        SseClient.awaitCondition(() -> gateway.connections().connectionCount() == 0, WAIT, () -> "registered");
    }
}
