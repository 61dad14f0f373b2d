package io.ssegateway.host.launcher;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.ssegateway.host.testkit.MainProcess;
import io.ssegateway.host.testkit.SelfSignedCertificate;
import io.ssegateway.host.testkit.SseClient;
import io.ssegateway.host.testkit.StreamReader;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code bin/sse-gateway} serving TLS configured by environment variables alone (on the distribution's own
 * {@code conf/}), as a container deployment does: {@code curl -k --http2 https://…} streams events.
 */
class MainTlsTest {

    private static final Path SHIPPED_CONF = Path.of("../distribution/src/conf");
    private static final Duration WAIT = Duration.ofSeconds(30);

    @TempDir
    Path home;

    @Test
    void pemFilesFromTheEnvironmentAloneServeHttp2OverTls() throws Exception {
        Files.createDirectories(home.resolve("conf"));
        for (String file : new String[] {"application.yaml", "logging.properties"}) {
            Files.copy(SHIPPED_CONF.resolve(file), home.resolve("conf").resolve(file));
        }
        SelfSignedCertificate certificate = SelfSignedCertificate.create(home, "env");
        try (MainProcess main = MainProcess.start(MainProcess.command(home), home, Map.of(
                "PORT", "0",
                "SERVER_TLS_CERT", certificate.certificatePem().toString(),
                "SERVER_TLS_KEY", certificate.keyPem().toString()))) {
            int port = main.awaitStartedPort();
            HttpClient client = HttpClient.newBuilder().sslContext(certificate.sslContext()).build();
            try {
                SseClient.awaitCondition(() -> ready(client, port) || !main.isAlive(), Duration.ofSeconds(60), main::output);
                assertTrue(main.isAlive(), main.output());
                Process curl = new ProcessBuilder("curl", "-sS", "-N", "-D", "-", "-k", "--http2",
                        "https://127.0.0.1:" + port + "/sse/connect?channel_id=env-tls").redirectErrorStream(true).start();
                try (StreamReader out = StreamReader.of(curl.getInputStream())) {
                    out.awaitLine("HTTP/2 200 ", WAIT);
                    // publish until it arrives: the subscription may register a moment after the headers
                    SseClient.awaitCondition(() -> {
                        send(client, port, "env-tls", "over-env-tls");
                        return out.data().contains("over-env-tls");
                    }, WAIT, out::toString);
                } finally {
                    curl.destroy();
                    curl.waitFor(10, TimeUnit.SECONDS);
                }
            } finally {
                client.shutdownNow();
            }
            assertTrue(main.output().contains("with TLS (PEM certificate " + certificate.certificatePem()), main.output());
            MainProcess.Exit exit = main.stop();
            assertEquals(0, exit.code(), exit.output());
        }
    }

    private static boolean ready(HttpClient client, int port) {
        try {
            return client.send(HttpRequest.newBuilder(URI.create("https://127.0.0.1:" + port + "/ready"))
                    .timeout(Duration.ofSeconds(5)).build(), HttpResponse.BodyHandlers.discarding()).statusCode() == 200;
        } catch (Exception e) {
            return false;
        }
    }

    private static void send(HttpClient client, int port, String channel, String data) {
        try {
            client.send(HttpRequest.newBuilder(URI.create("https://127.0.0.1:" + port + "/api/send"))
                    .header("Content-Type", "application/json")
                    .POST(HttpRequest.BodyPublishers.ofString("{\"channel_id\":\"" + channel + "\",\"event_type\":\"note\","
                            + "\"data\":\"" + data + "\"}"))
                    .timeout(Duration.ofSeconds(5)).build(), HttpResponse.BodyHandlers.discarding());
        } catch (Exception e) {
            throw new AssertionError(e);
        }
    }
}
