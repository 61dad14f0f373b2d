package io.ssegateway.plugin.jwt;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.nimbusds.jose.JWSAlgorithm;
import io.ssegateway.spi.PluginConfig;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class JwtSettingsTest {

    @TempDir
    Path dir;

    private static JwtSettings settings(Map<String, String> values) {
        return JwtSettings.from(PluginConfig.of("gateway.auth.jwt", values));
    }

    private static String refusal(Map<String, String> values) {
        return assertThrows(IllegalArgumentException.class, () -> settings(values)).getMessage();
    }

    @Test
    void aSecretAloneGivesTheDefaults() {
        JwtSettings settings = settings(Map.of("secret", Tokens.SECRET));
        assertEquals(Set.of(JWSAlgorithm.HS256), settings.algorithms());
        assertEquals(List.of(JwtSettings.TokenSource.HEADER, JwtSettings.TokenSource.COOKIE,
                JwtSettings.TokenSource.QUERY), settings.sources());
        assertEquals("sse_token", settings.cookieName());
        assertEquals("access_token", settings.queryParam());
        assertEquals("channels", settings.channelsClaim().path());
        assertEquals("publish", settings.publishClaim().path());
        assertEquals(Duration.ofSeconds(5), settings.clockSkew());
        assertTrue(settings.requireExp());
        assertTrue(settings.publishers());
    }

    @Test
    void badKeysAndAlgorithmsAreRefusedNamingTheKey() throws Exception {
        assertTrue(refusal(Map.of()).contains("gateway.auth.jwt.secret"));
        assertTrue(refusal(Map.of("secret", "too-short")).contains("needs at least 32 bytes"));
        assertTrue(refusal(Map.of("secret", Tokens.SECRET, "algorithms", "none")).contains("unsigned tokens are never accepted"));
        assertTrue(refusal(Map.of("secret", Tokens.SECRET, "algorithms", "RS256")).contains("neither"));
        Path pem = Tokens.pemFile(dir, "k.pem", Tokens.rsa().getPublic());
        assertTrue(refusal(Map.of("public-keys", pem.toString(), "algorithms", "HS256"))
                .contains("gateway.auth.jwt.secret is not set"));
        assertTrue(refusal(Map.of("jwks-url", "ftp://keys")).contains("not an http(s) URL"));
        assertTrue(refusal(Map.of("secret", Tokens.SECRET, "token-sources", "header,body")).contains("'body'"));
        assertTrue(refusal(Map.of("secret", Tokens.SECRET, "channels-claim", "a..b")).contains("not a claim name"));
    }

    @Test
    void pemFilesAreReadOrRefused() throws Exception {
        Path pem = Tokens.pemFile(dir, "keys.pem", Tokens.rsa().getPublic(), Tokens.ec().getPublic(),
                Tokens.ed25519().getPublic());
        assertEquals(3, PemKeys.read(pem, "k").size());
        Path privateKey = Files.writeString(dir.resolve("private.pem"), "-----BEGIN PRIVATE KEY-----\nAAAA\n"
                + "-----END PRIVATE KEY-----\n");
        assertTrue(assertThrows(IllegalArgumentException.class, () -> PemKeys.read(privateKey, "k")).getMessage()
                .contains("never private keys"));
        Path empty = Files.writeString(dir.resolve("empty.pem"), "nothing here");
        assertThrows(IllegalArgumentException.class, () -> PemKeys.read(empty, "k"));
        assertThrows(IllegalArgumentException.class, () -> PemKeys.read(dir.resolve("missing.pem"), "k"));
    }
}
