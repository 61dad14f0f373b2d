package io.ssegateway.plugin.jwt;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.nimbusds.jwt.SignedJWT;
import io.ssegateway.host.Gateway;
import io.ssegateway.host.testkit.Gateways;
import io.ssegateway.host.testkit.SseClient;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.ServiceLoader;
import java.util.spi.ToolProvider;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

class TokenToolTest {

    @RegisterExtension
    final Gateways gateways = new Gateways();

    private record Run(int code, String out, String err) {
    }

    private static Run run(Map<String, String> environment, String... args) {
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        int code = new TokenTool(environment::get).run(new PrintWriter(out), new PrintWriter(err), args);
        return new Run(code, out.toString(), err.toString());
    }

    @Test
    void theTokenItPrintsIsAcceptedByTheGateway() throws Exception {
        Run run = run(Map.of(), "--secret", Tokens.SECRET, "--sub", "alice", "--channels", "user-alice, room-*",
                "--publish", "room-*", "--ttl", "2h", "--claim", "tenant=acme");
        assertEquals(0, run.code(), run.err());
        String token = run.out().trim();
        SignedJWT jwt = SignedJWT.parse(token);
        assertEquals("alice", jwt.getJWTClaimsSet().getSubject());
        assertEquals(List.of("user-alice", "room-*"), jwt.getJWTClaimsSet().getStringListClaim("channels"));
        assertEquals(List.of("room-*"), jwt.getJWTClaimsSet().getStringListClaim("publish"));
        assertEquals("acme", jwt.getJWTClaimsSet().getStringClaim("tenant"));
        Duration ttl = Duration.between(Instant.now(), jwt.getJWTClaimsSet().getExpirationTime().toInstant());
        assertTrue(ttl.compareTo(Duration.ofMinutes(119)) > 0 && ttl.compareTo(Duration.ofHours(2)) <= 0, ttl.toString());

        Gateway gateway = gateways.start(Tokens.gateway(Map.of()));
        try (SseClient client = SseClient.connect(gateway.port(), "/sse/connect?channel_id=room-7",
                SseClient.options().header("Cookie", "sse_token=" + token))) {
            assertEquals(200, client.status(), client.errorBody());
        }
    }

    @Test
    void theSecretComesFromTheEnvironmentByDefault() throws Exception {
        Run run = run(Map.of("GATEWAY_AUTH_JWT_SECRET", Tokens.SECRET), "--sub", "bob");
        assertEquals(0, run.code(), run.err());
        assertEquals("bob", SignedJWT.parse(run.out().trim()).getJWTClaimsSet().getSubject());
    }

    @Test
    void mistakesExitTwoWithTheUsage() {
        Run noSecret = run(Map.of(), "--sub", "bob");
        assertEquals(2, noSecret.code());
        assertTrue(noSecret.err().contains("give --secret or set GATEWAY_AUTH_JWT_SECRET"), noSecret.err());
        assertTrue(noSecret.err().contains("usage: sse-gateway token"));
        assertEquals(2, run(Map.of(), "--secret", "short", "--sub", "x").code());
        assertEquals(2, run(Map.of(), "--secret", Tokens.SECRET, "--bogus", "x").code());
        assertEquals(2, run(Map.of(), "--secret", Tokens.SECRET, "--ttl", "soon").code());
        assertEquals(2, run(Map.of(), "--secret", Tokens.SECRET, "--alg", "RS256").code());
        assertEquals("", noSecret.out());
    }

    @Test
    void itIsFoundAsAToolProvider() {
        assertTrue(ServiceLoader.load(ToolProvider.class).stream().anyMatch(provider -> provider.type() == TokenTool.class));
    }
}
