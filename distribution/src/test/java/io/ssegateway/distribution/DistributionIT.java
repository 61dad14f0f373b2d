package io.ssegateway.distribution;

import static io.ssegateway.distribution.LaunchProbes.awaitReady;
import static io.ssegateway.distribution.LaunchProbes.read;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.ssegateway.host.testkit.Http;
import io.ssegateway.host.testkit.RedisServer;
import io.ssegateway.host.testkit.SseClient;
import io.ssegateway.plugin.gcp.PubSubEmulator;
import io.ssegateway.plugin.gcp.PubSubRest;
import io.ssegateway.plugin.nats.NatsServer;
import java.io.IOException;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The built zip, unzipped and run the way users run it: {@code bin/sse-gateway}. */
class DistributionIT {

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

    /** Starts {@code bin/sse-gateway} with no JAVA_HOME (the script must find a Java 21+ by itself). */
    private Process start(Map<String, String> environment, Path log) throws IOException {
        ProcessBuilder builder = new ProcessBuilder(home.resolve("bin/sse-gateway").toString())
                .redirectErrorStream(true)
                .redirectOutput(log.toFile());
        builder.environment().remove("JAVA_HOME");
        builder.environment().putAll(environment);
        return builder.start();
    }

    /**
     * Starts the launcher as {@link #gateway} with {@code PORT=0} and returns the port it names once ready: a port
     * picked here and bound later by the child could be taken meanwhile.
     */
    private int startReady(Map<String, String> environment, Path log) throws IOException {
        gateway = start(with(environment, "PORT", "0"), log);
        return awaitReady(gateway, log);
    }

    @Test
    void runsOnItsDefaultsServesAndExitsZeroOnSigterm() throws Exception {
        Path log = unpacked.resolve("gateway.log");
        int port = startReady(Map.of(), log);

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
        Path log = unpacked.resolve("plugin.log");
        int port = startReady(Map.of("GATEWAY_SOURCE_TYPE", "spool", "GATEWAY_SOURCE_SPOOL_DIR", spool.toString()), log);
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
            Path log = unpacked.resolve("redis.log");
            int port = startReady(Map.of("GATEWAY_SOURCE_TYPE", "redis", "GATEWAY_STORAGE_TYPE", "redis",
                    "REDIS_URL", redis.url()), log);
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
            assertTrue(read(log).contains("Using source redis (plugin redis 0.2.0"), read(log));
        }
    }

    /**
     * The shipped NATS plugin as source and storage of two gateways, set by environment variables only, against a
     * real {@code nats-server -js}: sent to one, delivered by the other with the same id, replayed from either.
     */
    @Test
    void theShippedNatsPluginCarriesMessagesBetweenTwoInstances() throws Exception {
        try (NatsServer nats = NatsServer.start()) {
            Path logA = unpacked.resolve("nats-a.log");
            Path logB = unpacked.resolve("nats-b.log");
            Map<String, String> environment = Map.of("GATEWAY_SOURCE_TYPE", "nats", "GATEWAY_STORAGE_TYPE", "nats",
                    "NATS_URL", nats.url(), "PORT", "0");
            gateway = start(environment, logA);
            Process second = start(environment, logB);
            try {
                int portA = awaitReady(gateway, logA);
                int portB = awaitReady(second, logB);
                String first;
                try (SseClient onA = SseClient.subscribe(portA, "user-9")) {
                    first = Http.publish(portB, "user-9", "note", "sent to B");
                    SseClient.Event event = onA.awaitMessages(1, Duration.ofSeconds(10)).get(0);
                    assertEquals("sent to B", event.data());
                    assertEquals(first, event.id());
                }
                String throughA = Http.publish(portA, "user-9", "note", "sent to A");
                for (int port : new int[] {portA, portB}) {
                    try (SseClient replay = SseClient.connect(port, "/sse/connect?channel_id=user-9",
                            SseClient.options().header("Last-Event-ID", first))) {
                        SseClient.Event event = replay.awaitMessages(1, Duration.ofSeconds(10)).get(0);
                        assertEquals(throughA, event.id());
                        assertEquals("sent to A", event.data());
                    }
                }
            } finally {
                second.destroy();
                second.waitFor(30, TimeUnit.SECONDS);
            }
            assertTrue(read(logA).contains("Using source nats (plugin nats 0.2.0"), read(logA));
        }
    }

    private static Map<String, String> with(Map<String, String> environment, String key, String value) {
        Map<String, String> copy = new HashMap<>(environment);
        copy.put(key, value);
        return copy;
    }

    /**
     * The shipped Google Cloud Pub/Sub plugin against the official emulator (a topic created and published to
     * through the emulator's REST API, so the test needs no Google client library).
     */
    @Test
    void theShippedGcpPluginDeliversFromPubSub() throws Exception {
        try (PubSubEmulator emulator = PubSubEmulator.start()) {
            PubSubRest pubsub = new PubSubRest(emulator.endpoint());
            pubsub.createTopic("demo-project", "events");
            Path log = unpacked.resolve("gcp.log");
            int port = startReady(Map.of("GATEWAY_SOURCE_TYPE", "gcp", "GATEWAY_SOURCE_GCP_PROJECT", "demo-project",
                    "GATEWAY_SOURCE_GCP_TOPIC", "events", "PUBSUB_EMULATOR_HOST", emulator.endpoint()), log);
            try (SseClient client = SseClient.subscribe(port, "room-1")) {
                pubsub.publish("demo-project", "events", "{\"text\":\"hi\"}",
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

    /**
     * The acceptance for the JWT plugin: configured with only {@code GATEWAY_AUTH_TYPE=jwt} and
     * {@code GATEWAY_AUTH_JWT_SECRET}, tokens minted by {@code bin/sse-gateway token}.
     */
    @Test
    void theShippedJwtPluginAuthenticatesWithOnlyATypeAndASecret() throws Exception {
        String secret = "distribution-test-secret-0123456789-abcdef";
        Path log = unpacked.resolve("jwt.log");
        int port = startReady(Map.of("GATEWAY_AUTH_TYPE", "jwt", "GATEWAY_AUTH_JWT_SECRET", secret), log);

        SseClient anonymous = SseClient.subscribe(port, "user-alice");
        assertEquals(401, anonymous.status());
        assertEquals("Bearer realm=\"sse-gateway\"", anonymous.header("www-authenticate"));

        String alice = token(Map.of("GATEWAY_AUTH_JWT_SECRET", secret), "--sub", "alice", "--channels", "user-{sub}",
                "--ttl", "1h");
        String path = "/sse/connect?channel_id=user-alice";
        try (SseClient byHeader = SseClient.connect(port, path, SseClient.options().header("Authorization", "Bearer " + alice));
             SseClient byCookie = SseClient.connect(port, path, SseClient.options().header("Cookie", "sse_token=" + alice));
             SseClient byQuery = SseClient.connect(port, path + "&access_token=" + alice, SseClient.options())) {
            for (SseClient client : List.of(byHeader, byCookie, byQuery)) {
                assertEquals(200, client.status(), client.errorBody());
            }
            SseClient other = SseClient.connect(port, "/sse/connect?channel_id=user-bob",
                    SseClient.options().header("Authorization", "Bearer " + alice));
            assertEquals(403, other.status());
            assertTrue(other.errorBody().contains("user-bob"), other.errorBody());

            String publisher = token(Map.of(), "--secret", secret, "--sub", "rooms", "--publish", "room-*,user-alice");
            Map<String, String> bearer = Map.of("Authorization", "Bearer " + publisher);
            String send = "{\"channel_id\":\"%s\",\"event_type\":\"note\",\"data\":\"hi\"}";
            assertEquals(200, Http.post(port, "/api/send", "application/json", send.formatted("room-1"), bearer).status());
            assertEquals(200, Http.post(port, "/api/send", "application/json", send.formatted("user-alice"), bearer).status());
            Http.Response refused = Http.post(port, "/api/send", "application/json", send.formatted("user-1"), bearer);
            assertEquals(403, refused.status(), refused.body());
            for (SseClient client : List.of(byHeader, byCookie, byQuery)) {
                assertEquals("hi", client.awaitMessages(1, Duration.ofSeconds(10)).get(0).data());
            }
        }

        // a short-lived token: its stream ends (with an "expired" event), then the token is refused
        String brief = token(Map.of(), "--secret", secret, "--sub", "alice", "--channels", "user-alice", "--ttl", "2s");
        try (SseClient client = SseClient.connect(port, path, SseClient.options().header("Cookie", "sse_token=" + brief))) {
            assertEquals(200, client.status(), client.errorBody());
            client.awaitEnd(Duration.ofSeconds(30));
            assertEquals("expired", client.messages().get(client.messages().size() - 1).type());
        }
        SseClient expired = SseClient.connect(port, path, SseClient.options().header("Cookie", "sse_token=" + brief));
        assertEquals(401, expired.status());
        assertTrue(expired.errorBody().contains("the token has expired"), expired.errorBody());
        assertTrue(Http.get(port, "/metrics").body().contains("sse_connections_expired_total 1"));
        assertTrue(!read(log).contains(alice) && !read(log).contains(brief), "a token in the log");
        gateway.destroy();
        assertTrue(gateway.waitFor(30, TimeUnit.SECONDS));
        assertEquals(0, gateway.exitValue(), read(log));
    }

    /** {@code bin/sse-gateway token …}: the token it prints (stdout holds nothing else). */
    private String token(Map<String, String> environment, String... args) throws Exception {
        List<String> command = new ArrayList<>(List.of(home.resolve("bin/sse-gateway").toString(), "token"));
        command.addAll(List.of(args));
        ProcessBuilder builder = new ProcessBuilder(command);
        builder.environment().remove("JAVA_HOME");
        builder.environment().putAll(environment);
        Process process = builder.start();
        String out = new String(process.getInputStream().readAllBytes()).trim();
        String err = new String(process.getErrorStream().readAllBytes());
        assertTrue(process.waitFor(60, TimeUnit.SECONDS));
        assertEquals(0, process.exitValue(), err);
        assertTrue(out.matches("[\\w-]+\\.[\\w-]+\\.[\\w-]+"), "not a lone token: " + out);
        return out;
    }

    @Test
    void anUnknownCommandExitsTwoAndListsThePluginsCommands() throws Exception {
        Process process = new ProcessBuilder(home.resolve("bin/sse-gateway").toString(), "nosuch").start();
        String err = new String(process.getErrorStream().readAllBytes());
        assertTrue(process.waitFor(60, TimeUnit.SECONDS));
        assertEquals(2, process.exitValue(), err);
        assertTrue(err.contains("unknown command 'nosuch'") && err.contains("token"), err);
    }

    /**
     * The JVM defaults the launcher adds (read back from the JVM itself): with G1, a periodic collection and a heap
     * that shrinks to 20 % free, so that an idle gateway gives back what a connect storm grew; {@code JAVA_OPTS} come
     * after them and win; a collector chosen there gets none of the G1 settings.
     */
    @Test
    void theLauncherGivesIdleMemoryBackWithG1AndJavaOptsOverrideIt() throws Exception {
        Map<String, String> defaults = finalFlags("-XX:+PrintFlagsFinal");
        assertEquals("true", defaults.get("UseG1GC"));
        assertEquals("15000", defaults.get("G1PeriodicGCInterval"));
        assertEquals("10", defaults.get("MinHeapFreeRatio"));
        assertEquals("20", defaults.get("MaxHeapFreeRatio"));

        Map<String, String> overridden = finalFlags("-XX:+PrintFlagsFinal -XX:MaxHeapFreeRatio=70 -XX:G1PeriodicGCInterval=0");
        assertEquals("70", overridden.get("MaxHeapFreeRatio"));
        assertEquals("0", overridden.get("G1PeriodicGCInterval"));

        Map<String, String> serial = finalFlags("-XX:+PrintFlagsFinal -XX:+UseSerialGC");
        assertEquals("true", serial.get("UseSerialGC"));
        assertEquals("false", serial.get("UseG1GC"));
        assertEquals("70", serial.get("MaxHeapFreeRatio"), "the G1 settings stay out of another collector's way");
    }

    /** The JVM's final flags ({@code -XX:+PrintFlagsFinal} in {@code javaOpts}), printed before a quick exit. */
    private Map<String, String> finalFlags(String javaOpts) throws Exception {
        ProcessBuilder builder = new ProcessBuilder(home.resolve("bin/sse-gateway").toString(), "nosuch")
                .redirectErrorStream(true);
        builder.environment().remove("JAVA_HOME");
        builder.environment().put("JAVA_OPTS", javaOpts);
        Process process = builder.start();
        String out = new String(process.getInputStream().readAllBytes());
        assertTrue(process.waitFor(60, TimeUnit.SECONDS));
        assertEquals(2, process.exitValue(), out);
        Map<String, String> flags = new HashMap<>();
        // e.g. "    uintx MaxHeapFreeRatio                         = 20                 {manageable} {command line}"
        Matcher line = Pattern.compile("(?m)^\\s*\\S+ (\\w+)\\s+:?= (\\S+)").matcher(out);
        while (line.find()) {
            flags.put(line.group(1), line.group(2));
        }
        assertTrue(flags.size() > 100, "no flag table in:\n" + out);
        return flags;
    }

    @Test
    void aConfigurationErrorExitsTwoWithAMessage() throws Exception {
        Path log = unpacked.resolve("bad.log");
        gateway = start(Map.of("PORT", "0", "GATEWAY_STORAGE_TYPE", "nosuch"), log);
        assertTrue(gateway.waitFor(60, TimeUnit.SECONDS));
        assertEquals(2, gateway.exitValue());
        assertTrue(read(log).contains("Unknown storage type 'nosuch' in gateway.storage.type; available: memory, nats, noop, redis"),
                read(log));
    }

    @Test
    void aPortAlreadyTakenExitsOneWithOneLineNamingItBeforeLoadingPlugins() throws Exception {
        try (ServerSocket taken = new ServerSocket(0)) {
            int port = taken.getLocalPort();
            Path log = unpacked.resolve("taken.log");
            gateway = start(Map.of("PORT", Integer.toString(port)), log);
            assertTrue(gateway.waitFor(60, TimeUnit.SECONDS), "still running; log:\n" + read(log));
            assertEquals(1, gateway.exitValue(), read(log));
            String output = read(log);
            assertTrue(output.contains("sse-gateway: could not start: cannot listen on 0.0.0.0:" + port
                    + ": Address already in use"), output);
            assertFalse(output.contains("Started"), output);
            assertFalse(output.contains("Loaded plugin"), "the port is checked before the plugins load:\n" + output);
        }
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
}
