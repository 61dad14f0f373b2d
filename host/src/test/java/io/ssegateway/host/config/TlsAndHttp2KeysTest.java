package io.ssegateway.host.config;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.ssegateway.host.core.GatewaySettings;
import io.ssegateway.host.plugin.FactoryCatalog;
import io.ssegateway.host.testkit.SelfSignedCertificate;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code server.tls.*} and {@code server.http2.*} from the file and from the environment alone. */
class TlsAndHttp2KeysTest {

    @TempDir
    Path dir;

    private static GatewaySettings settings(GatewayConfig config) {
        return ConfiguredGateway.builder(config, FactoryCatalog.builtIns()).build().settings();
    }

    @Test
    void defaultsAreNoTlsAndHttp2WithABoundedStreamCount() {
        GatewaySettings settings = settings(GatewayConfig.load(dir.resolve("absent.yaml"), Map.of()));
        assertNull(settings.tls());
        assertFalse(settings.secure());
        assertTrue(settings.http2());
        assertEquals(128, settings.http2MaxConcurrentStreams());
    }

    @Test
    void pemFilesAndHttp2SettingsFromTheEnvironmentAlone() throws Exception {
        SelfSignedCertificate certificate = SelfSignedCertificate.create(dir, "env");
        GatewaySettings settings = settings(GatewayConfig.load(dir.resolve("absent.yaml"), Map.of(
                "SERVER_TLS_CERT", certificate.certificatePem().toString(),
                "SERVER_TLS_KEY", certificate.keyPem().toString(),
                "SERVER_TLS_RELOAD_INTERVAL", "0",
                "SERVER_HTTP2_ENABLED", "false",
                "SERVER_HTTP2_MAX_CONCURRENT_STREAMS", "16")));
        assertTrue(settings.secure());
        assertEquals(certificate.certificatePem(), settings.tls().certificate());
        assertEquals(certificate.keyPem(), settings.tls().key());
        assertEquals(Duration.ZERO, settings.tls().reloadInterval());
        assertFalse(settings.http2());
        assertEquals(16, settings.http2MaxConcurrentStreams());
    }

    @Test
    void aKeystoreAndItsPassphraseFromTheFile() throws Exception {
        SelfSignedCertificate certificate = SelfSignedCertificate.create(dir, "file");
        Path file = dir.resolve("application.yaml");
        Files.writeString(file, "server:\n  tls:\n    keystore: " + certificate.keystore() + "\n    keystore-passphrase: "
                + SelfSignedCertificate.PASSPHRASE + "\n");
        GatewaySettings settings = settings(GatewayConfig.load(file, Map.of()));
        assertTrue(settings.tls().fromKeystore());
        assertEquals(certificate.keystore(), settings.tls().keystore());
        assertEquals(Duration.ofMinutes(1), settings.tls().reloadInterval());
        assertFalse(settings.tls().toString().contains(SelfSignedCertificate.PASSPHRASE));
    }
}
