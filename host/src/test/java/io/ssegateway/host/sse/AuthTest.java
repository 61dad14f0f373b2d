package io.ssegateway.host.sse;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.ssegateway.host.Gateway;
import io.ssegateway.host.testkit.SseClient;
import io.ssegateway.host.testkit.TestGateways;
import io.ssegateway.spi.auth.AuthRequest;
import io.ssegateway.spi.auth.Denial;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

class AuthTest {

    private static final Duration WAIT = Duration.ofSeconds(10);
    private Gateway gateway;

    @AfterEach
    void stop() {
        if (gateway != null) {
            gateway.stop();
        }
    }

    @Test
    void aBearerTokenCheckAllowsAndDeniesWithText() throws Exception {
        gateway = TestGateways.builder()
                .auth(request -> request.bearerToken().filter("secret-token"::equals).isPresent()
                        ? Optional.empty() : Optional.of(Denial.deny(401, "Invalid token")))
                .build().start();
        try (SseClient allowed = SseClient.connect(gateway.port(), "/sse/connect?channel_id=c",
                SseClient.options().header("Authorization", "Bearer secret-token"))) {
            assertEquals(200, allowed.status());
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
        gateway = TestGateways.builder().auth(request -> Optional.of(Denial.denyJson(403, json))).build().start();
        SseClient denied = SseClient.subscribe(gateway.port(), "c");
        assertEquals(403, denied.status());
        assertEquals(json, denied.errorBody());
        assertEquals("application/json", denied.header("content-type"));
    }

    @Test
    void everyRequestHelperSeesWhatTheClientSent() throws Exception {
        AtomicReference<AuthRequest> seen = new AtomicReference<>();
        gateway = TestGateways.builder().auth(request -> {
            seen.set(request);
            return Optional.empty();
        }).build().start();
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
    void clientIpComesFromXForwardedForThenFromTheSocket() throws Exception {
        AtomicReference<String> ip = new AtomicReference<>();
        gateway = TestGateways.builder().host("0.0.0.0").auth(request -> {
            ip.set(request.clientIp());
            return Optional.empty();
        }).build().start();
        try (SseClient client = SseClient.connect(gateway.port(), "/sse/connect?channel_id=c",
                SseClient.options().header("X-Forwarded-For", " 203.0.113.7 , 10.0.0.1"))) {
            assertEquals(200, client.status());
            assertEquals("203.0.113.7", ip.get());
        }
        try (SseClient client = SseClient.connect(gateway.port(), "/sse/connect?channel_id=c",
                SseClient.options().from("127.0.0.3"))) {
            assertEquals(200, client.status());
            assertEquals("127.0.0.3", ip.get());
        }
    }

    @Test
    void aFailingAuthenticatorAnswers503AndIsCounted() throws Exception {
        gateway = TestGateways.builder().auth(request -> {
            throw new java.io.IOException("identity service unreachable");
        }).build().start();
        SseClient client = SseClient.subscribe(gateway.port(), "c");
        assertEquals(503, client.status());
        assertTrue(client.errorBody().contains("authentication is unavailable"), client.errorBody());
        assertTrue(client.header("retry-after") != null);
        assertEquals(1, gateway.metrics().authErrors.sum());
        SseClient.awaitCondition(() -> gateway.connections().connectionCount() == 0, WAIT, () -> "registered");
    }
}
