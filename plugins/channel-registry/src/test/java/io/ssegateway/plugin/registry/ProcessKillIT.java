package io.ssegateway.plugin.registry;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import io.ssegateway.host.testkit.Http;
import io.ssegateway.host.testkit.MainProcess;
import io.ssegateway.host.testkit.RedisServer;
import io.ssegateway.host.testkit.SseClient;
import io.ssegateway.plugin.registry.RegistryFixtures.Instance;
import java.io.File;
import java.io.IOException;
import java.io.InputStream;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.TimeUnit;
import java.util.zip.ZipEntry;
import java.util.zip.ZipFile;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The built plugin zip in a real gateway process ({@code io.ssegateway.host.launcher.Main} with {@code plugins/} holding this
 * zip and the Redis plugin's, configured through the original's environment names), killed with SIGKILL: its share
 * of the registry must expire on its own within the TTL.
 */
class ProcessKillIT {

    private static final Duration TTL = Duration.ofSeconds(2);
    /** Redis's expiry and the test's polling, on a busy 2-core machine. */
    private static final Duration SLACK = Duration.ofMillis(750);

    @Test
    void theZipIsAPf4jPluginWithoutTheSpiOrSlf4j() throws IOException {
        try (ZipFile zip = new ZipFile(pluginZip().toFile())) {
            Properties descriptor = new Properties();
            try (InputStream in = zip.getInputStream(zip.getEntry("plugin.properties"))) {
                descriptor.load(in);
            }
            assertEquals("channel-registry", descriptor.getProperty("plugin.id"));
            assertEquals(System.getProperty("plugin.version"), descriptor.getProperty("plugin.version"));
            assertEquals(">=0.2.0", descriptor.getProperty("plugin.requires"));
            assertEquals("sse-gateway", descriptor.getProperty("plugin.provider"));
            assertFalse(descriptor.getProperty("plugin.description", "").isBlank());
            List<String> jars = zip.stream().map(ZipEntry::getName).filter(name -> name.startsWith("lib/"))
                    .map(name -> name.substring(4)).filter(name -> !name.isEmpty()).toList();
            assertTrue(jars.contains("sse-gateway-plugin-channel-registry-" + System.getProperty("plugin.version") + ".jar"),
                    jars.toString());
            assertTrue(jars.stream().anyMatch(name -> name.startsWith("lettuce-core-")), jars.toString());
            for (String forbidden : List.of("sse-gateway-spi", "sse-gateway-host", "slf4j-api", "junit", "helidon")) {
                assertTrue(jars.stream().noneMatch(name -> name.startsWith(forbidden)), forbidden + " bundled: " + jars);
            }
            assertTrue(zip.getEntry("scripts/lookup.lua") != null, "the lookup script ships for agents");
        }
    }

    @Test
    void aGatewayKilledWithSigkillDisappearsFromTheRegistryWithinTheTtl(@TempDir Path home) throws Exception {
        try (RedisServer redis = RedisServer.start();
             Instance survivor = Instance.start(redis, "survivor", "channel-ttl", "2s")) {
            // known before start: GATEWAY_ADDR names it, and the test checks the registry advertises GATEWAY_ADDR
            int pushPort = freePort();
            Process doomed = startGatewayProcess(home, redis, pushPort);
            try {
                int port = awaitReady(doomed, home);
                String log = log(home);
                assertTrue(log.contains("Using source channel-registry (plugin channel-registry ")
                        && log.contains("storage redis (plugin redis "), "both must come from plugins/:\n" + log);
                try (SseClient client = SseClient.subscribe(port, "doomed-channel")) {
                    survivor.awaitHolders("doomed-channel", "doomed");
                    JsonNode lookup = survivor.lookup("doomed-channel");
                    assertEquals("http://127.0.0.1:" + pushPort, lookup.get("instances").get(0).get("address").asText());
                    assertEquals(List.of("doomed", "survivor"), liveInstances(survivor));

                    // the zip-loaded source serves pushes, stored by the zip-loaded Redis storage
                    Http.Response push = Http.post(pushPort, "/push", "application/json",
                            RegistryFixtures.body("doomed-channel", "t", "before the kill", "k-1"), Map.of());
                    assertEquals(200, push.status(), push.body());
                    assertTrue(push.json().get("online").asBoolean(), push.body());
                    assertEquals(push.json().get("stream_id").asText(), client.awaitMessages(1, RegistryFixtures.WAIT).get(0).id());

                    doomed.destroyForcibly(); // SIGKILL: no shutdown hook, no goodbye
                    long killedAt = System.nanoTime();
                    assertTrue(doomed.waitFor(10, TimeUnit.SECONDS));
                    assertEquals(137, doomed.exitValue(), "killed by SIGKILL");

                    Duration limit = TTL.plus(SLACK);
                    SseClient.awaitCondition(() -> liveInstances(survivor).equals(List.of("survivor")), limit,
                            () -> "/instances still lists the killed gateway: " + survivor.get("/instances").body());
                    long instanceGone = System.nanoTime() - killedAt;
                    SseClient.awaitCondition(() -> !survivor.lookup("doomed-channel").get("online").asBoolean(), limit,
                            () -> "the killed gateway still holds its channel: " + survivor.lookup("doomed-channel"));
                    SseClient.awaitCondition(() -> Long.valueOf(0).equals(redis.command("EXISTS", "sse:registry:channel:doomed-channel")),
                            limit, () -> "the channel key outlived its TTL");
                    SseClient.awaitCondition(() -> Long.valueOf(0).equals(redis.command("EXISTS", "sse:registry:instance:doomed")),
                            limit, () -> "the instance record outlived its TTL");
                    long keysGone = System.nanoTime() - killedAt;
                    System.out.printf("SIGKILLed gateway: gone from /instances and lookups %d ms after the kill, its keys "
                            + "expired after %d ms (ttl %d ms)%n", instanceGone / 1_000_000, keysGone / 1_000_000, TTL.toMillis());
                    client.awaitEnd(RegistryFixtures.WAIT);
                }
            } finally {
                doomed.destroyForcibly();
                doomed.waitFor(10, TimeUnit.SECONDS);
            }
        }
    }

    private static List<String> liveInstances(Instance instance) {
        return RegistryFixtures.ids(instance.get("/instances").json().get("instances"));
    }

    /** {@code Main} in a child JVM, with a home holding the two plugin zips, configured by the original's env names. */
    private static Process startGatewayProcess(Path home, RedisServer redis, int pushPort) throws IOException {
        Files.createDirectories(home.resolve("conf"));
        Files.createDirectories(home.resolve("plugins"));
        Files.copy(pluginZip(), home.resolve("plugins").resolve(pluginZip().getFileName()));
        Path redisZip = Path.of(System.getProperty("redis.plugin.zip"));
        Files.copy(redisZip, home.resolve("plugins").resolve(redisZip.getFileName()));
        Files.writeString(home.resolve("conf/application.yaml"), """
                server:
                  host: 127.0.0.1
                  port: 0
                gateway:
                  instance-id: doomed
                  keep-alive-interval: 1s
                  source:
                    type: channel-registry
                    channel-registry:
                      push-host: 127.0.0.1
                  storage:
                    type: redis
                """);
        String java = ProcessHandle.current().info().command().orElse("java");
        List<String> command = new ArrayList<>(List.of(java, "-Xmx256m", "-Dssegateway.home=" + home,
                "-Djava.util.logging.config.file=" + System.getProperty("java.util.logging.config.file"),
                "-cp", hostClassPath(), "io.ssegateway.host.launcher.Main"));
        ProcessBuilder builder = new ProcessBuilder(command).redirectErrorStream(true)
                .redirectOutput(home.resolve("gateway.log").toFile());
        builder.environment().put("REDIS_URL", redis.url());
        builder.environment().put("PUSH_PORT", Integer.toString(pushPort));
        builder.environment().put("GATEWAY_ADDR", "http://127.0.0.1:" + pushPort);
        builder.environment().put("CHANNEL_TTL", Long.toString(TTL.toSeconds()));
        return builder.start();
    }

    /**
     * The test class path without this plugin, the Redis plugin and the Redis library they bundle: the child gateway
     * must find them only in the drop-in zips of its {@code plugins/} folder. The plugin kit stays: the gateway itself
     * depends on it.
     */
    private static String hostClassPath() {
        String classPath = System.getProperty("surefire.test.class.path", System.getProperty("java.class.path"));
        String module = Path.of("").toAbsolutePath().toString();
        return String.join(File.pathSeparator, Arrays.stream(classPath.split(File.pathSeparator))
                .filter(entry -> !Path.of(entry).toAbsolutePath().startsWith(module))
                .filter(entry -> !isBundledByThePlugins(Path.of(entry).getFileName().toString()))
                .toList());
    }

    private static boolean isBundledByThePlugins(String jar) {
        return jar.startsWith("sse-gateway-plugin-redis-") || jar.startsWith("sse-gateway-plugin-channel-registry-")
                || jar.startsWith("sse-gateway-redis-support-");
    }

    /** The port of the launcher's "Started … serving port N" line (the gateway runs on port 0), once ready there. */
    private static int awaitReady(Process process, Path home) {
        int port = MainProcess.awaitStartedPort(process, () -> log(home));
        SseClient.awaitCondition(() -> {
            if (!process.isAlive()) {
                throw new AssertionError("the gateway process exited: " + log(home));
            }
            try {
                return Http.get(port, "/ready").status() == 200;
            } catch (RuntimeException notYet) {
                return false;
            }
        }, Duration.ofSeconds(60), () -> "the gateway process is not ready: " + log(home));
        return port;
    }

    private static String log(Path home) {
        try {
            return Files.readString(home.resolve("gateway.log"));
        } catch (IOException e) {
            return "(no log: " + e + ")";
        }
    }

    private static Path pluginZip() {
        Path zip = Path.of(System.getProperty("plugin.zip"));
        assertTrue(Files.isRegularFile(zip), "the plugin zip was not built: " + zip);
        return zip;
    }

    private static int freePort() throws IOException {
        try (ServerSocket socket = new ServerSocket(0)) {
            return socket.getLocalPort();
        }
    }
}
