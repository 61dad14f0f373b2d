package io.ssegateway.plugin.jwt;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.nimbusds.jose.JOSEObjectType;
import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.JWSHeader;
import com.nimbusds.jose.PlainHeader;
import com.nimbusds.jwt.JWTClaimsSet;
import com.nimbusds.jwt.PlainJWT;
import io.ssegateway.host.Gateway;
import io.ssegateway.host.testkit.Gateways;
import io.ssegateway.host.testkit.Http;
import io.ssegateway.host.testkit.LogCapture;
import io.ssegateway.host.testkit.SseClient;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyPair;
import java.time.Duration;
import java.time.Instant;
import java.util.Date;
import java.util.List;
import java.util.Map;
import java.util.logging.Level;
import java.util.logging.Logger;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/** Subscribers with JWTs, end to end against a running gateway: transports, signatures, claims, channels, expiry. */
class JwtSubscriberTest {

    private static final Duration WAIT = Duration.ofSeconds(10);

    @RegisterExtension
    final Gateways gateways = new Gateways();

    @TempDir
    Path dir;

    private static SseClient withHeader(Gateway gateway, String channel, String token) throws Exception {
        return SseClient.connect(gateway.port(), "/sse/connect?channel_id=" + Http.encode(channel),
                SseClient.options().header("Authorization", "Bearer " + token));
    }

    private static SseClient withCookie(Gateway gateway, String channel, String cookie) throws Exception {
        return SseClient.connect(gateway.port(), "/sse/connect?channel_id=" + Http.encode(channel),
                SseClient.options().header("Cookie", cookie));
    }

    private static SseClient withQuery(Gateway gateway, String channel, String token) throws Exception {
        return SseClient.connect(gateway.port(), "/sse/connect?channel_id=" + Http.encode(channel)
                + "&access_token=" + Http.encode(token), SseClient.options());
    }

    /** Asserts a 401 whose description is {@code description}, with the RFC 6750 header, and no trace of the token. */
    private static void assertInvalid(SseClient client, String description, String token) {
        assertEquals(401, client.status(), client.errorBody());
        assertEquals("{\"error\":\"invalid token: " + description + "\"}", client.errorBody());
        assertEquals("Bearer realm=\"sse-gateway\", error=\"invalid_token\", error_description=\"" + description + "\"",
                client.header("www-authenticate"));
        assertFalse(client.errorBody().contains(token));
        client.close();
    }

    @Test
    void aTokenIsAcceptedFromTheHeaderTheCookieAndTheQuery() throws Exception {
        Gateway gateway = gateways.start(Tokens.gateway(Map.of()));
        String token = Tokens.hs256(Tokens.claims("alice").claim("channels", List.of("user-alice")));
        try (SseClient header = withHeader(gateway, "user-alice", token);
             SseClient cookie = withCookie(gateway, "user-alice", "theme=dark; sse_token=" + token);
             SseClient query = withQuery(gateway, "user-alice", token)) {
            assertEquals(200, header.status(), header.errorBody());
            assertEquals(200, cookie.status(), cookie.errorBody());
            assertEquals(200, query.status(), query.errorBody());
            Http.publish(gateway.port(), "user-alice", "note", "hello");
            for (SseClient client : List.of(header, cookie, query)) {
                assertEquals("hello", client.awaitMessages(1, WAIT).get(0).data());
            }
            String stats = Http.get(gateway.port(), "/api/stats").body();
            assertTrue(stats.contains("\"subject\":\"alice\""), stats);
        }
    }

    @Test
    void withoutATokenTheAnswerSaysWhereToPutOne() throws Exception {
        Gateway gateway = gateways.start(Tokens.gateway(Map.of()));
        SseClient client = SseClient.subscribe(gateway.port(), "room-1");
        assertEquals(401, client.status());
        assertEquals("{\"error\":\"a token is required: Authorization: Bearer <token>, the sse_token cookie, the"
                + " access_token query parameter\"}", client.errorBody());
        assertEquals("Bearer realm=\"sse-gateway\"", client.header("www-authenticate"));
        assertEquals(1, gateway.metrics().authDenied.sum());
    }

    @Test
    void theHeaderComesFirstAndOnlyConfiguredSourcesCount() throws Exception {
        Gateway gateway = gateways.start(Tokens.gateway(Map.of("token-sources", "header,cookie")));
        String good = Tokens.hs256(Tokens.claims("alice").claim("channels", List.of("*")));
        String forged = Tokens.hs256("another-secret-that-is-long-enough-to-use!!", Tokens.claims("eve")
                .claim("channels", List.of("*")));
        // a bad header is not rescued by a good cookie
        SseClient both = SseClient.connect(gateway.port(), "/sse/connect?channel_id=c", SseClient.options()
                .header("Authorization", "Bearer " + forged).header("Cookie", "sse_token=" + good));
        assertInvalid(both, "the token's signature does not verify", forged);
        assertEquals(401, withQuery(gateway, "c", good).status(), "the query is not a source here");
        try (SseClient cookie = withCookie(gateway, "c", "sse_token=" + good)) {
            assertEquals(200, cookie.status());
        }
    }

    @Test
    void unsignedTamperedExpiredAndPrematureTokensAreRefused() throws Exception {
        Gateway gateway = gateways.start(Tokens.gateway(Map.of("clock-skew", "0s", "issuer", "https://id.example",
                "audience", "sse,other")));
        JWTClaimsSet.Builder valid = Tokens.claims("alice").issuer("https://id.example").audience("sse")
                .claim("channels", List.of("*"));
        String good = Tokens.hs256(valid);
        try (SseClient ok = withHeader(gateway, "c", good)) {
            assertEquals(200, ok.status(), ok.errorBody());
        }

        String none = new PlainJWT(new PlainHeader(), valid.build()).serialize();
        assertInvalid(withHeader(gateway, "c", none), "unsigned tokens (alg none) are refused", none);

        // the payload changed after signing: another subject, same signature
        String[] parts = good.split("\\.");
        String otherPayload = com.nimbusds.jose.util.Base64URL.encode(valid.subject("mallory").build().toString()).toString();
        String tampered = parts[0] + "." + otherPayload + "." + parts[2];
        assertInvalid(withHeader(gateway, "c", tampered), "the token's signature does not verify", tampered);

        Instant now = Instant.now();
        String expired = Tokens.hs256(Tokens.claims("alice").issuer("https://id.example").audience("sse")
                .expirationTime(Date.from(now.minusSeconds(5))));
        assertInvalid(withHeader(gateway, "c", expired), "the token has expired", expired);
        String noExp = Tokens.hs256(Tokens.claims("alice").issuer("https://id.example").audience("sse")
                .expirationTime(null));
        assertInvalid(withHeader(gateway, "c", noExp), "the token has no expiry (exp)", noExp);
        String early = Tokens.hs256(Tokens.claims("alice").issuer("https://id.example").audience("sse")
                .notBeforeTime(Date.from(now.plusSeconds(60))));
        assertInvalid(withHeader(gateway, "c", early), "the token is not valid yet (nbf)", early);
        String future = Tokens.hs256(Tokens.claims("alice").issuer("https://id.example").audience("sse")
                .issueTime(Date.from(now.plusSeconds(60))));
        assertInvalid(withHeader(gateway, "c", future), "the token was issued in the future (iat)", future);
        String wrongIssuer = Tokens.hs256(Tokens.claims("alice").issuer("https://evil.example").audience("sse"));
        assertInvalid(withHeader(gateway, "c", wrongIssuer),
                "the token's issuer (iss) is not the one this gateway accepts", wrongIssuer);
        String wrongAudience = Tokens.hs256(Tokens.claims("alice").issuer("https://id.example").audience("billing"));
        assertInvalid(withHeader(gateway, "c", wrongAudience), "the token's audience (aud) does not name this gateway",
                wrongAudience);
        assertInvalid(withHeader(gateway, "c", "not.a.jwt"), "the token is not a well-formed JWT", "not.a.jwt");
        String hs512 = Tokens.sign(new JWSHeader(JWSAlgorithm.HS512), valid,
                Tokens.macSigner(Tokens.SECRET.repeat(2).getBytes(StandardCharsets.UTF_8)));
        assertInvalid(withHeader(gateway, "c", hs512), "the token's algorithm is not allowed", hs512);
    }

    @Test
    void anHmacTokenSignedWithThePublicKeyIsRefused() throws Exception {
        KeyPair rsa = Tokens.rsa();
        Path pem = Tokens.pemFile(dir, "rsa.pem", rsa.getPublic());
        // only the RSA key: HS256 is not even allowed
        Gateway rsaOnly = gateways.start(io.ssegateway.host.testkit.TestGateways.builder()
                .auth(Tokens.authenticator(Map.of("public-keys", pem.toString()))));
        JWTClaimsSet.Builder claims = Tokens.claims("alice").claim("channels", List.of("*"));
        try (SseClient ok = withHeader(rsaOnly, "c", Tokens.rs256(rsa, null, claims))) {
            assertEquals(200, ok.status(), ok.errorBody());
        }
        byte[] publicKeyAsSecret = Files.readAllBytes(pem);
        String confused = Tokens.sign(new JWSHeader(JWSAlgorithm.HS256), claims, Tokens.macSigner(publicKeyAsSecret));
        assertInvalid(withHeader(rsaOnly, "c", confused), "the token's algorithm is not allowed", confused);

        // both an HMAC secret and the RSA key, both algorithms allowed: the HMAC token is checked with the secret only
        Gateway both = gateways.start(io.ssegateway.host.testkit.TestGateways.builder().auth(Tokens.authenticator(
                Map.of("secret", Tokens.SECRET, "public-keys", pem.toString(), "algorithms", "HS256,RS256"))));
        assertInvalid(withHeader(both, "c", confused), "the token's signature does not verify", confused);
        String derAsSecret = Tokens.sign(new JWSHeader(JWSAlgorithm.HS256), claims,
                Tokens.macSigner(rsa.getPublic().getEncoded()));
        assertInvalid(withHeader(both, "c", derAsSecret), "the token's signature does not verify", derAsSecret);
    }

    @Test
    void ecAndEd25519PemKeysVerifyTheirTokensAndOnlyTheirs() throws Exception {
        KeyPair ec = Tokens.ec();
        KeyPair ed = Tokens.ed25519();
        KeyPair otherEd = Tokens.ed25519();
        Path pem = Tokens.pemFile(dir, "keys.pem", ec.getPublic(), ed.getPublic());
        Gateway gateway = gateways.start(io.ssegateway.host.testkit.TestGateways.builder()
                .auth(Tokens.authenticator(Map.of("public-keys", pem.toString()))));
        JWTClaimsSet.Builder claims = Tokens.claims("alice").claim("channels", List.of("*"));
        try (SseClient ecClient = withHeader(gateway, "c", Tokens.es256(ec, claims));
             SseClient edClient = withHeader(gateway, "c", Tokens.ed25519(ed, claims))) {
            assertEquals(200, ecClient.status(), ecClient.errorBody());
            assertEquals(200, edClient.status(), edClient.errorBody());
        }
        String stranger = Tokens.ed25519(otherEd, claims);
        assertInvalid(withHeader(gateway, "c", stranger), "the token's signature does not verify", stranger);
        String wrongKid = Tokens.rs256(Tokens.rsa(), "nobody", claims);
        assertInvalid(withHeader(gateway, "c", wrongKid), "no key has the token's key id (kid)", wrongKid);
    }

    @Test
    void channelsOutsideTheClaimAreRefusedNamingTheChannel() throws Exception {
        Gateway gateway = gateways.start(Tokens.gateway(Map.of("channels-claim", "sse.channels")));
        String token = Tokens.hs256(Tokens.claims("alice")
                .claim("sse", Map.of("channels", List.of("room-*", "user-{sub}"))));
        for (String allowed : List.of("room-1", "room-lobby", "user-alice")) {
            try (SseClient client = withHeader(gateway, allowed, token)) {
                assertEquals(200, client.status(), allowed + ": " + client.errorBody());
            }
        }
        for (String refused : List.of("user-bob", "rooms-1", "room", "other")) {
            SseClient client = withHeader(gateway, refused, token);
            assertEquals(403, client.status(), refused);
            assertEquals("{\"error\":\"the token does not allow reading channel '" + refused + "'\",\"channel_id\":\""
                    + refused + "\"}", client.errorBody());
            assertTrue(client.header("www-authenticate").contains("error=\"insufficient_scope\""));
            client.close();
        }
        String noChannels = Tokens.hs256(Tokens.claims("alice"));
        assertEquals(403, withHeader(gateway, "room-1", noChannels).status());
        String malformed = Tokens.hs256(Tokens.claims("alice").claim("sse", Map.of("channels", List.of(1, 2))));
        assertInvalid(withHeader(gateway, "room-1", malformed),
                "the token's sse.channels claim is malformed: it must be a string or an array of strings", malformed);
    }

    @Test
    void everyChannelOfAMultiChannelSubscriptionIsJudgedAndOneRefusedRefusesAll() throws Exception {
        Gateway gateway = gateways.start(Tokens.gateway(Map.of()));
        String token = Tokens.hs256(Tokens.claims("alice").claim("channels", List.of("room-*", "user-{sub}")));
        try (SseClient both = SseClient.connect(gateway.port(), "/sse/connect?channel_id=room-1&channel_id=user-alice",
                SseClient.options().header("Authorization", "Bearer " + token))) {
            assertEquals(200, both.status(), both.errorBody());
            both.awaitEvent(event -> event.type().equals("subscribed"), WAIT);
        }
        SseClient refused = SseClient.connect(gateway.port(),
                "/sse/connect?channel_id=room-1&channel_id=user-bob&channel_id=room-2",
                SseClient.options().header("Authorization", "Bearer " + token));
        assertEquals(403, refused.status());
        assertEquals("{\"error\":\"the token does not allow reading channel 'user-bob'\",\"channel_id\":\"user-bob\"}",
                refused.errorBody());
        refused.close();
        assertEquals(1, gateway.metrics().connectionsOpened.sum());
    }

    @Test
    void theTokenIsNeverLogged() throws Exception {
        Gateway gateway = gateways.start(Tokens.gateway(Map.of()));
        Logger logger = Logger.getLogger("io.ssegateway");
        Level before = logger.getLevel();
        logger.setLevel(Level.ALL);
        try (LogCapture log = LogCapture.of(JwtAuthenticator.class)) {
            String forged = Tokens.hs256("another-secret-that-is-long-enough-to-use!!", Tokens.claims("eve"));
            withHeader(gateway, "room-1", forged).close();
            String refused = Tokens.hs256(Tokens.claims("alice").claim("channels", List.of("room-2")));
            withQuery(gateway, "room-1", refused).close();
            assertTrue(log.contains("the token's signature does not verify"), log.messages().toString());
            assertTrue(log.contains("channel 'room-1' is not in the channels claim"), log.messages().toString());
            for (String message : log.messages()) {
                assertFalse(message.contains(forged.split("\\.")[2]) || message.contains(refused.split("\\.")[1]),
                        "a token in the log: " + message);
            }
        } finally {
            logger.setLevel(before);
        }
    }

    @Test
    void aStreamEndsWhenItsTokenExpires() throws Exception {
        Gateway gateway = gateways.start(Tokens.gateway(Map.of("clock-skew", "0s")));
        Http.publish(gateway.port(), "warm-up", "t", "x");
        Instant exp = Instant.now().plusSeconds(3);
        String token = Tokens.hs256(Tokens.claims("alice").expirationTime(Date.from(exp))
                .claim("channels", List.of("user-alice")));
        try (SseClient client = withCookie(gateway, "user-alice", "sse_token=" + token)) {
            assertEquals(200, client.status(), client.errorBody());
            client.awaitEnd(WAIT);
            assertFalse(Instant.now().isBefore(exp.minusMillis(1000)), "ended before exp (whole seconds in the token)");
            SseClient.Event last = client.messages().get(client.messages().size() - 1);
            assertEquals("expired", last.type());
        }
        // counted by the expiry thread right after it closed the stream: the client may see the end first
        SseClient.awaitCondition(() -> gateway.metrics().connectionsExpired.sum() == 1, WAIT,
                () -> "connections expired: " + gateway.metrics().connectionsExpired.sum());
    }

    @Test
    void aTypedHeaderIsFine() throws Exception {
        Gateway gateway = gateways.start(Tokens.gateway(Map.of()));
        String token = Tokens.sign(new JWSHeader.Builder(JWSAlgorithm.HS256).type(JOSEObjectType.JWT).build(),
                Tokens.claims("alice").claim("channels", "c"), Tokens.macSigner(Tokens.SECRET.getBytes(StandardCharsets.UTF_8)));
        try (SseClient client = withHeader(gateway, "c", token)) {
            assertEquals(200, client.status(), client.errorBody());
        }
    }
}
