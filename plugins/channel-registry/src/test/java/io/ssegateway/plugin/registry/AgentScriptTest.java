package io.ssegateway.plugin.registry;

import static io.ssegateway.plugin.registry.RegistryFixtures.WAIT;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.ssegateway.host.testkit.SseClient;
import io.ssegateway.plugin.registry.RegistryFixtures.Instance;
import io.ssegateway.redis.RedisPerClass;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** {@code examples/direct-push/agent.sh} (redis-cli and curl) against a real instance, online and offline. */
class AgentScriptTest {

    private static final Path SCRIPT = Path.of("../../examples/direct-push/agent.sh");

    @RegisterExtension
    static final RedisPerClass REDIS = new RedisPerClass();

    private static Instance gateway;

    @BeforeAll
    static void start() {
        gateway = Instance.start(REDIS.server(), "gateway-a", "push-token", "agent-secret");
    }

    @AfterAll
    static void stop() {
        if (gateway != null) {
            gateway.close();
        }
    }

    private record Run(int exitCode, String output) {
    }

    private static Run agent(String... arguments) throws Exception {
        assertTrue(Files.isRegularFile(SCRIPT), SCRIPT.toAbsolutePath().toString());
        List<String> command = new java.util.ArrayList<>(List.of("sh", SCRIPT.toString()));
        command.addAll(List.of(arguments));
        ProcessBuilder builder = new ProcessBuilder(command).redirectErrorStream(true);
        builder.environment().put("REDIS_HOST", "127.0.0.1");
        builder.environment().put("REDIS_PORT", Integer.toString(REDIS.server().port()));
        builder.environment().put("STORE_URL", gateway.address());
        builder.environment().put("PUSH_TOKEN", "agent-secret");
        Process process = builder.start();
        if (!process.waitFor(30, TimeUnit.SECONDS)) {
            process.destroyForcibly();
            throw new AssertionError("agent.sh did not finish");
        }
        return new Run(process.exitValue(), new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8));
    }

    @Test
    void anOnlineUserGetsThePushLive() throws Exception {
        try (SseClient client = SseClient.subscribe(gateway.port(), "user-42")) {
            SseClient.awaitCondition(() -> REDIS.server().command("GET", "channel:user-42:gateway") != null, WAIT,
                    () -> "user-42 is not registered");
            Run run = agent("user-42", "notification", "{\"text\": \"hi\"}", "n-1001");
            assertEquals(0, run.exitCode(), run.output());
            assertTrue(run.output().startsWith("pushed to 127.0.0.1:" + gateway.pushPort() + ": {\"success\":true,"
                    + "\"online\":true"), run.output());
            SseClient.Event event = client.awaitMessages(1, WAIT).get(0);
            assertEquals("notification", event.type());
            assertEquals("{\"text\":\"hi\"}", event.data());
        }
    }

    @Test
    void anOfflineUserFindsTheStoredMessageOnItsNextConnection() throws Exception {
        Run run = agent("user-7", "mail", "\"you have mail\"", "m-1");
        assertEquals(0, run.exitCode(), run.output());
        assertTrue(run.output().startsWith("stored via " + gateway.address() + ": {\"success\":true,\"online\":false"),
                run.output());
        try (SseClient client = SseClient.connect(gateway.port(), "/sse/connect?channel_id=user-7&last_event_id=earliest",
                SseClient.options())) {
            assertEquals("you have mail", client.awaitMessages(1, WAIT).get(0).data());
        }
    }

    @Test
    void aRefusedPushFailsTheScript() throws Exception {
        Run run = agent("user-8", "mail", "not json", "m-2");
        assertTrue(run.exitCode() != 0, run.output());
        assertTrue(run.output().contains("\"error\""), run.output());
    }
}
