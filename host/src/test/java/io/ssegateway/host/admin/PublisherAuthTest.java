package io.ssegateway.host.admin;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.ssegateway.host.Gateway;
import io.ssegateway.host.testkit.Gateways;
import io.ssegateway.host.testkit.Http;
import io.ssegateway.host.testkit.SseClient;
import io.ssegateway.host.testkit.TestGateways;
import io.ssegateway.spi.CancellationToken;
import io.ssegateway.spi.ConnectionView;
import io.ssegateway.spi.auth.AuthRequest;
import io.ssegateway.spi.auth.AuthResult;
import io.ssegateway.spi.auth.Authenticator;
import io.ssegateway.spi.auth.Denial;
import io.ssegateway.spi.auth.Identity;
import io.ssegateway.spi.source.MessageHandler;
import io.ssegateway.spi.source.MessageSource;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** Publisher credentials at {@code /api/send}: judged by an authenticator only when it opts in. */
class PublisherAuthTest {

    private static final Duration WAIT = Duration.ofSeconds(10);

    @RegisterExtension
    final Gateways gateways = new Gateways();

    /** Judges publishers: the credential {@code rooms} may publish to {@code room-*}; remembers what it was asked. */
    private static final class RoomPublishers implements Authenticator {
        final List<AuthRequest> asked = new CopyOnWriteArrayList<>();

        @Override
        public AuthResult authenticate(AuthRequest request) {
            asked.add(request);
            if (request.action() == AuthRequest.Action.SUBSCRIBE) {
                return AuthResult.allow();
            }
            if (!request.bearerToken().equals(Optional.of("rooms"))) {
                return AuthResult.deny(Denial.denyJson(401, "{\"error\":\"bad publisher\"}")
                        .withHeader("WWW-Authenticate", "Bearer error=\"invalid_token\""));
            }
            String channel = request.channelId();
            return channel != null && channel.startsWith("room-") ? AuthResult.allow(Identity.of("room-service"))
                    : AuthResult.deny(Denial.denyJson(403, "{\"error\":\"not yours\",\"channel_id\":"
                    + (channel == null ? "null" : "\"" + channel + "\"") + "}"));
        }

        @Override
        public boolean authorizesPublishers() {
            return true;
        }
    }

    private static Http.Response send(Gateway gateway, String channel, String token) {
        String body = "{\"channel_id\":" + (channel == null ? "null" : "\"" + channel + "\"")
                + ",\"event_type\":\"t\",\"data\":\"x\"}";
        return Http.post(gateway.port(), "/api/send", "application/json", body,
                token == null ? Map.of() : Map.of("Authorization", "Bearer " + token));
    }

    @Test
    void aPublisherCredentialIsLimitedToWhatTheAuthenticatorAllows() throws Exception {
        RoomPublishers auth = new RoomPublishers();
        Gateway gateway = gateways.start(TestGateways.builder().adminToken("admin-secret").auth(auth));
        try (SseClient room = SseClient.subscribe(gateway.port(), "room-1")) {
            Http.Response allowed = send(gateway, "room-1", "rooms");
            assertEquals(200, allowed.status(), allowed.body());
            assertEquals("x", room.awaitMessages(1, WAIT).get(0).data());
        }
        AuthRequest asked = auth.asked.get(auth.asked.size() - 1);
        assertEquals(AuthRequest.Action.PUBLISH, asked.action());
        assertEquals(List.of("room-1"), asked.channelIds());
        assertEquals("POST", asked.method());
        assertEquals("/api/send", asked.path());
        assertEquals("127.0.0.1", asked.clientIp());

        Http.Response outside = send(gateway, "user-1", "rooms");
        assertEquals(403, outside.status());
        assertEquals("user-1", outside.json().get("channel_id").asText());
        Http.Response broadcast = send(gateway, null, "rooms");
        assertEquals(403, broadcast.status());
        assertEquals(List.of(), auth.asked.get(auth.asked.size() - 1).channelIds());
        Http.Response wrong = send(gateway, "room-1", "forged");
        assertEquals(401, wrong.status());
        assertEquals("Bearer error=\"invalid_token\"", wrong.header("WWW-Authenticate"));
        assertEquals(3, gateway.metrics().publishersDenied.sum());

        // the static admin token never reaches the authenticator and may publish anything
        int before = auth.asked.size();
        assertEquals(200, send(gateway, "user-1", "admin-secret").status());
        assertEquals(200, send(gateway, null, "admin-secret").status());
        assertEquals(before, auth.asked.size());
        assertEquals(401, send(gateway, "room-1", null).status(), "no credential: the admin guard answers");
        assertTrue(Http.get(gateway.port(), "/metrics").body().contains("sse_publishers_denied_total 3"));
    }

    @Test
    void aPublisherCredentialNeverGrantsTheStats() {
        Gateway gateway = gateways.start(TestGateways.builder().adminToken("admin-secret").auth(new RoomPublishers()));
        assertEquals(401, Http.get(gateway.port(), "/api/stats", Map.of("Authorization", "Bearer rooms")).status());
    }

    @Test
    void anAuthenticatorThatDoesNotOptInNeverAdmitsAPublisher() {
        List<AuthRequest> asked = new CopyOnWriteArrayList<>();
        // allows everyone who subscribes: it must not start admitting publishers
        Gateway gateway = gateways.start(TestGateways.builder().adminToken("admin-secret").auth(request -> {
            asked.add(request);
            return AuthResult.allow();
        }));
        assertEquals(401, send(gateway, "room-1", "anything").status());
        assertEquals(List.of(), asked);
        assertEquals(0, gateway.metrics().publishersDenied.sum());
    }

    @Test
    void aFailingAuthenticatorIsA503ForThePublisher() {
        Gateway gateway = gateways.start(TestGateways.builder().adminToken("admin-secret").auth(new Authenticator() {
            @Override
            public AuthResult authenticate(AuthRequest request) throws Exception {
                throw new java.io.IOException("keys unreachable");
            }

            @Override
            public boolean authorizesPublishers() {
                return true;
            }
        }));
        Http.Response response = send(gateway, "room-1", "rooms");
        assertEquals(503, response.status());
        assertEquals("authentication is unavailable, try again later", response.json().get("error").asText());
        assertTrue(response.header("Retry-After") != null);
        assertEquals(1, gateway.metrics().authErrors.sum());
    }

    /** A source with its own publish API asks the gateway through its handler. */
    @Test
    void aSourceAsksTheGatewaysAuthenticatorThroughItsHandler() throws Exception {
        HandlerSource source = new HandlerSource();
        gateways.start(TestGateways.builder().source(source).auth(new RoomPublishers()));
        MessageHandler handler = source.awaitHandler();
        Map<String, List<String>> headers = Map.of("Authorization", List.of("Bearer rooms"));
        AuthResult allowed = handler.authorizePublish("POST", "/push?x=1", headers, "10.0.0.1", List.of("room-9"))
                .orElseThrow();
        assertTrue(allowed.allowed());
        assertEquals("room-service", allowed.identity().subject());
        AuthResult denied = handler.authorizePublish("POST", "/push", headers, "10.0.0.1", List.of("user-9"))
                .orElseThrow();
        assertEquals(403, denied.denial().orElseThrow().status());

        HandlerSource plainSource = new HandlerSource();
        gateways.start(TestGateways.builder().source(plainSource).auth(request -> AuthResult.allow()));
        MessageHandler plain = plainSource.awaitHandler();
        assertEquals(Optional.empty(), plain.authorizePublish("POST", "/push", headers, "10.0.0.1", List.of("room-9")));
    }

    @Test
    void readyReportsAnUnavailableAuthenticator() {
        boolean[] available = {false};
        Gateway gateway = gateways.start(TestGateways.builder().auth(new Authenticator() {
            @Override
            public AuthResult authenticate(AuthRequest request) {
                return AuthResult.allow();
            }

            @Override
            public boolean isAvailable() {
                return available[0];
            }
        }));
        Http.Response notReady = Http.get(gateway.port(), "/ready");
        assertEquals(503, notReady.status());
        assertTrue(notReady.body().contains("the authenticator is unavailable"), notReady.body());
        available[0] = true;
        assertEquals(200, Http.get(gateway.port(), "/ready").status());
    }

    /** A source with a publish API of its own: it keeps the handler the gateway gives it, and waits to be stopped. */
    private static final class HandlerSource implements MessageSource {
        private final CountDownLatch started = new CountDownLatch(1);
        private volatile MessageHandler handler;

        @Override
        public String name() {
            return "api";
        }

        @Override
        public void start(MessageHandler given, ConnectionView connections, CancellationToken cancel) throws Exception {
            handler = given;
            started.countDown();
            cancel.await();
        }

        MessageHandler awaitHandler() throws InterruptedException {
            assertTrue(started.await(10, TimeUnit.SECONDS), "the source was not started");
            return handler;
        }
    }
}
