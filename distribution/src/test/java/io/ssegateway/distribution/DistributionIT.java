package io.ssegateway.distribution;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.ssegateway.host.testkit.Http;
import io.ssegateway.host.testkit.RedisServer;
import io.ssegateway.host.testkit.SseClient;
import java.io.IOException;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The built zip, unzipped and run the way users run it: {@code bin/sse-gateway}. */
class DistributionIT {

    private static final Duration WAIT = Duration.ofSeconds(60);

    @TempDir
    Path unpacked;

    private Path home;
    private Process gateway;

    @BeforeEach
    void unzip() throws Exception {
        Path zip = Path.of(System.getProperty("distribution.zip"));
        assertTrue(Files.isRegularFile(zip), "no distribution zip at " + zip);
        Process unzip = new ProcessBuilder("unzip", "-q", zip.toString(), "-d", unpacked.toString()).inheritIO().start();
        assertEquals(0, unzip.waitFor());
        try (Stream<Path> top = Files.list(unpacked)) {
            home = top.findFirst().orElseThrow();
        }
        assertTrue(Files.isExecutable(home.resolve("bin/sse-gateway")));
        assertTrue(Files.isRegularFile(home.resolve("conf/application.yaml")));
        assertTrue(Files.isDirectory(home.resolve("plugins")));
        try (Stream<Path> jars = Files.list(home.resolve("lib"))) {
            assertTrue(jars.anyMatch(jar -> jar.getFileName().toString().startsWith("sse-gateway-host")));
        }
    }

    @AfterEach
    void kill() {
        if (gateway != null && gateway.isAlive()) {
            gateway.destroyForcibly();
        }
    }

    private static int freePort() throws IOException {
        try (ServerSocket socket = new ServerSocket(0)) {
            return socket.getLocalPort();
        }
    }

    /** Starts {@code bin/sse-gateway} with no JAVA_HOME (the script must find a Java 21+ by itself). */
    private Process start(Map<String, String> environment, Path log) throws IOException {
        ProcessBuilder builder = new ProcessBuilder(home.resolve("bin/sse-gateway").toString())
                .redirectErrorStream(true)
                .redirectOutput(log.toFile());
        builder.environment().remove("JAVA_HOME");
        builder.environment().putAll(environment);
        return builder.start();
    }

    @Test
    void runsOnItsDefaultsServesAndExitsZeroOnSigterm() throws Exception {
        int port = freePort();
        Path log = unpacked.resolve("gateway.log");
        gateway = start(Map.of("PORT", Integer.toString(port)), log);
        SseClient.awaitCondition(() -> ready(port), WAIT, () -> "not ready; log:\n" + read(log));

        try (SseClient client = SseClient.subscribe(port, "dist")) {
            String id = Http.publish(port, "dist", "greeting", "hello from the zip");
            SseClient.Event event = client.awaitMessages(1, Duration.ofSeconds(10)).get(0);
            assertEquals("hello from the zip", event.data());
            assertEquals(id, event.id());

            gateway.destroy(); // SIGTERM
            assertTrue(gateway.waitFor(30, TimeUnit.SECONDS), "did not exit after SIGTERM; log:\n" + read(log));
            assertEquals(0, gateway.exitValue(), "exit code; log:\n" + read(log));
            client.awaitEnd(Duration.ofSeconds(10));
        }
        String output = read(log);
        assertTrue(output.contains("listening on 0.0.0.0:" + port), output);
        assertTrue(output.contains("storage memory"), output);
        assertTrue(output.contains("stopped"), output);
    }

    /** The README's example plugin, dropped into {@code plugins/} and selected by environment variables. */
    @Test
    void aPluginDroppedIntoPluginsIsLoadedAndUsed() throws Exception {
        Files.copy(Path.of(System.getProperty("spool.plugin.zip")), home.resolve("plugins/spool-plugin-1.0.0.zip"));
        Path spool = Files.createDirectories(unpacked.resolve("spool"));
        int port = freePort();
        Path log = unpacked.resolve("plugin.log");
        gateway = start(Map.of("PORT", Integer.toString(port), "GATEWAY_SOURCE_TYPE", "spool",
                "GATEWAY_SOURCE_SPOOL_DIR", spool.toString()), log);
        SseClient.awaitCondition(() -> ready(port), WAIT, () -> "not ready; log:\n" + read(log));
        try (SseClient client = SseClient.subscribe(port, "orders")) {
            Path draft = Files.writeString(spool.resolve("order-1.tmp"), "orders\nshipped\n{\"order\": 1}");
            Files.move(draft, spool.resolve("order-1.msg"));
            SseClient.Event event = client.awaitMessages(1, Duration.ofSeconds(10)).get(0);
            assertEquals("shipped", event.type());
            assertEquals("{\"order\": 1}", event.data());
        }
        String stats = Http.get(port, "/api/stats").body();
        assertTrue(stats.contains("\"id\":\"spool\",\"version\":\"1.0.0\",\"state\":\"STARTED\""), stats);
        gateway.destroy();
        assertTrue(gateway.waitFor(30, TimeUnit.SECONDS));
        assertEquals(0, gateway.exitValue(), read(log));
        String output = read(log);
        assertTrue(output.contains("Loaded plugin spool 1.0.0"), output);
        assertTrue(output.contains("Using source spool (plugin spool 1.0.0"), output);
    }

    /** The shipped Redis plugin, configured as source and storage by environment variables, against a real Redis. */
    @Test
    void theShippedRedisPluginServesFromRedis() throws Exception {
        try (RedisServer redis = RedisServer.start()) {
            int port = freePort();
            Path log = unpacked.resolve("redis.log");
            gateway = start(Map.of("PORT", Integer.toString(port), "GATEWAY_SOURCE_TYPE", "redis",
                    "GATEWAY_STORAGE_TYPE", "redis", "REDIS_URL", redis.url()), log);
            SseClient.awaitCondition(() -> ready(port), WAIT, () -> "not ready; log:\n" + read(log));
            try (SseClient client = SseClient.subscribe(port, "user-7")) {
                String viaApi = Http.publish(port, "user-7", "note", "through /api/send");
                redis.command("PUBLISH", "sse:user-7", "{\"event_type\":\"note\",\"data\":{\"via\":\"redis\"},\"id\":\"ext-1\"}");
                List<SseClient.Event> events = client.awaitMessages(2, Duration.ofSeconds(10));
                assertEquals("through /api/send", events.get(0).data());
                assertEquals(viaApi, events.get(0).id());
                assertEquals("{\"via\":\"redis\"}", events.get(1).data());
                assertEquals(2L, redis.command("XLEN", "sse:stream:user-7"), "each message stored once");
            }
            gateway.destroy();
            assertTrue(gateway.waitFor(30, TimeUnit.SECONDS));
            assertEquals(0, gateway.exitValue(), read(log));
            assertTrue(read(log).contains("Using source redis (plugin redis 0.1.0"), read(log));
        }
    }

    /**
     * The shipped Google Cloud Pub/Sub plugin against the official emulator (a topic created and published to
     * through the emulator's REST API, so the test needs no Google client library).
     */
    @Test
    void theShippedGcpPluginDeliversFromPubSub() throws Exception {
        try (PubSubEmulatorProcess emulator = PubSubEmulatorProcess.start(unpacked.resolve("emulator.log"))) {
            emulator.createTopic("demo-project", "events");
            int port = freePort();
            Path log = unpacked.resolve("gcp.log");
            gateway = start(Map.of("PORT", Integer.toString(port), "GATEWAY_SOURCE_TYPE", "gcp",
                    "GATEWAY_SOURCE_GCP_PROJECT", "demo-project", "GATEWAY_SOURCE_GCP_TOPIC", "events",
                    "PUBSUB_EMULATOR_HOST", emulator.hostPort()), log);
            SseClient.awaitCondition(() -> ready(port), WAIT, () -> "not ready; log:\n" + read(log));
            try (SseClient client = SseClient.subscribe(port, "room-1")) {
                emulator.publish("demo-project", "events", "{\"text\":\"hi\"}",
                        Map.of("channel_id", "room-1", "event_type", "chat", "id", "msg-1"));
                SseClient.Event event = client.awaitMessages(1, Duration.ofSeconds(20)).get(0);
                assertEquals("chat", event.type());
                assertEquals("{\"text\":\"hi\"}", event.data());
            }
            gateway.destroy();
            assertTrue(gateway.waitFor(30, TimeUnit.SECONDS));
            assertEquals(0, gateway.exitValue(), read(log));
        }
    }

    @Test
    void aConfigurationErrorExitsTwoWithAMessage() throws Exception {
        Path log = unpacked.resolve("bad.log");
        gateway = start(Map.of("PORT", Integer.toString(freePort()), "GATEWAY_STORAGE_TYPE", "nosuch"), log);
        assertTrue(gateway.waitFor(60, TimeUnit.SECONDS));
        assertEquals(2, gateway.exitValue());
        assertTrue(read(log).contains("Unknown storage type 'nosuch' in gateway.storage.type; available: memory, noop"),
                read(log));
    }

    /** Hides every Java 21+ under /usr/lib/jvm in a private mount namespace: the script must say what it needs. */
    @Test
    void withoutAJava21TheLauncherSaysWhatItNeeds() throws Exception {
        List<String> hide = new ArrayList<>();
        try (Stream<Path> jdks = Files.list(Path.of("/usr/lib/jvm"))) {
            for (Path jdk : jdks.toList()) {
                Path release = jdk.resolve("release");
                if (!Files.isSymbolicLink(jdk) && Files.isRegularFile(release)
                        && featureVersion(Files.readString(release)) >= 21) {
                    hide.add("mount -t tmpfs none " + jdk);
                }
            }
        }
        String script = String.join(" && ", hide) + (hide.isEmpty() ? "" : " && ")
                + "JAVA_HOME= exec " + home.resolve("bin/sse-gateway");
        Process process = new ProcessBuilder("unshare", "-m", "sh", "-c", script).redirectErrorStream(true).start();
        String output = new String(process.getInputStream().readAllBytes());
        assertTrue(process.waitFor(30, TimeUnit.SECONDS));
        assertEquals(1, process.exitValue(), output);
        assertTrue(output.contains("sse-gateway needs Java 21 or newer"), output);
        assertTrue(output.contains("set JAVA_HOME"), output);
    }

    private static int featureVersion(String release) {
        for (String line : release.split("\n")) {
            if (line.startsWith("JAVA_VERSION=")) {
                String version = line.substring("JAVA_VERSION=".length()).replace("\"", "");
                String first = version.startsWith("1.") ? version.substring(2) : version;
                return Integer.parseInt(first.split("[.+-]")[0]);
            }
        }
        return 0;
    }

    private static boolean ready(int port) {
        try {
            return Http.get(port, "/ready").status() == 200;
        } catch (RuntimeException notYet) {
            return false;
        }
    }

    private static String read(Path log) {
        try {
            return Files.exists(log) ? Files.readString(log) : "";
        } catch (IOException e) {
            return e.toString();
        }
    }
}
