package io.ssegateway.browser;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.JWSHeader;
import com.nimbusds.jose.crypto.MACSigner;
import com.nimbusds.jwt.JWTClaimsSet;
import com.nimbusds.jwt.SignedJWT;
import io.ssegateway.host.Gateway;
import io.ssegateway.host.testkit.Http;
import io.ssegateway.host.testkit.TestGateways;
import io.ssegateway.plugin.jwt.JwtAuthenticator;
import io.ssegateway.spi.PluginConfig;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.Date;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * A browser's {@code EventSource} authenticated by the {@code sse_token} cookie, on a page of another origin (another
 * port of the same host, as app.example.com and sse.example.com share example.com's cookie), with CORS credentials.
 */
class CookieAuthBrowserTest {

    private static final String SECRET = "browser-test-secret-that-is-32-bytes-or-more";
    private static final String HOST = "localhost";

    @RegisterExtension
    static final BrowserSession SESSION = new BrowserSession();

    @AfterEach
    void deleteCookies() {
        SESSION.browser().driver().manage().deleteAllCookies();
    }

    private Gateway start(Duration clockSkew) throws Exception {
        Gateway gateway = TestGateways.builder().host("127.0.0.1")
                .corsAllowedOrigins(List.of(SESSION.pages().origin(HOST)))
                .auth(new JwtAuthenticator.Factory().create(PluginConfig.of("gateway.auth.jwt",
                        Map.of("secret", SECRET, "clock-skew", clockSkew.toSeconds() + "s"))))
                .build().start();
        SESSION.started(gateway);
        return gateway;
    }

    private static String token(String subject, Duration ttl) throws Exception {
        Instant now = Instant.now();
        SignedJWT jwt = new SignedJWT(new JWSHeader(JWSAlgorithm.HS256), new JWTClaimsSet.Builder().subject(subject)
                .claim("channels", List.of("user-{sub}")).issueTime(Date.from(now))
                .expirationTime(Date.from(now.plus(ttl))).build());
        jwt.sign(new MACSigner(SECRET.getBytes(StandardCharsets.UTF_8)));
        return jwt.serialize();
    }

    private void openPage(Gateway gateway, String channel, String token, boolean credentials) {
        SESSION.browser().open(SESSION.pages().url(HOST, "cookie-eventsource.html?gateway=" + Http.encode("http://" + HOST + ":" + gateway.port())
                + "&channel=" + Http.encode(channel) + "&token=" + Http.encode(token) + "&credentials=" + credentials));
    }

    @SuppressWarnings("unchecked")
    private List<Map<String, String>> received() {
        return (List<Map<String, String>>) SESSION.browser().script("return window.received;");
    }

    @Test
    void anEventSourceWithCredentialsIsAuthenticatedByTheCookie() throws Exception {
        Gateway gateway = start(Duration.ofSeconds(5));
        openPage(gateway, "user-alice", token("alice", Duration.ofHours(1)), true);
        SESSION.browser().await(() -> gateway.connections().channelConnectionCount("user-alice") == 1,
                () -> "the page did not subscribe; state " + SESSION.browser().text("#state"));
        Http.publish(gateway.port(), "user-alice", "note", "for alice only");
        SESSION.browser().await(() -> received().size() == 1, () -> "events: " + received());
        assertEquals(Map.of("type", "note", "data", "for alice only"), received().get(0));
        assertTrue(Http.get(gateway.port(), "/api/stats").body().contains("\"subject\":\"alice\""));
    }

    @Test
    void withoutCredentialsTheCookieIsNotSentAndTheBrowserGivesUp() throws Exception {
        Gateway gateway = start(Duration.ofSeconds(5));
        openPage(gateway, "user-alice", token("alice", Duration.ofHours(1)), false);
        SESSION.browser().await(() -> "closed".equals(SESSION.browser().text("#state")), () -> "state " + SESSION.browser().text("#state"));
        assertEquals(1L, gateway.metrics().authDenied.sum(), "one 401, and no retry");
        assertEquals(0L, (Long) SESSION.browser().script("return window.opens;"));
    }

    @Test
    void anotherUsersChannelIsRefused() throws Exception {
        Gateway gateway = start(Duration.ofSeconds(5));
        openPage(gateway, "user-bob", token("alice", Duration.ofHours(1)), true);
        SESSION.browser().await(() -> "closed".equals(SESSION.browser().text("#state")), () -> "state " + SESSION.browser().text("#state"));
        assertEquals(0, gateway.connections().connectionCount());
    }

    @Test
    void theStreamEndsWithTheTokenAndTheBrowserIsToldWhy() throws Exception {
        Gateway gateway = start(Duration.ZERO);
        openPage(gateway, "user-alice", token("alice", Duration.ofSeconds(3)), true);
        SESSION.browser().await(() -> received().stream().anyMatch(event -> "expired".equals(event.get("type"))),
                () -> "no expired event: " + received());
        // the browser reconnects with the same, now expired, cookie: refused, so EventSource stops
        SESSION.browser().await(() -> "closed".equals(SESSION.browser().text("#state")), () -> "state " + SESSION.browser().text("#state"));
        // counted by the expiry thread right after it closed the stream
        SESSION.browser().await(() -> gateway.metrics().connectionsExpired.sum() == 1,
                () -> "connections expired: " + gateway.metrics().connectionsExpired.sum());
    }
}
