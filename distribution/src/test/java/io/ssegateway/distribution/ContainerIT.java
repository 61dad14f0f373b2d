package io.ssegateway.distribution;

import static io.ssegateway.distribution.LaunchProbes.awaitStarted;
import static io.ssegateway.distribution.LaunchProbes.read;
import static io.ssegateway.distribution.LaunchProbes.status;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.ssegateway.host.testkit.Http;
import io.ssegateway.host.testkit.SseClient;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The repository's {@code Dockerfile}, checked without a container runtime: what it copies exists, its choices hold
 * (a JRE 21+ base, a non-root user, volumes, exec-form entry point and health check), and its entry point runs against
 * the built distribution as the image would run it — the image's environment (JSON logs, a management port), its
 * health check answering, SIGTERM reaching the JVM — printing nothing but JSON lines.
 */
class ContainerIT {

    private static final Duration WAIT = Duration.ofSeconds(60);
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Pattern ARG = Pattern.compile("\\$\\{(\\w+)}");

    /** The launched gateway's log (a temporary directory JUnit deletes afterwards). */
    @TempDir
    Path logs;
    private final Path root = Path.of(System.getProperty("project.root")).toAbsolutePath().normalize();
    private Map<String, List<String>> instructions;
    private Map<String, String> args;
    private Path image;
    private Process gateway;

    @BeforeEach
    void readDockerfile() throws IOException {
        instructions = new LinkedHashMap<>();
        args = new HashMap<>();
        String text = Files.readString(root.resolve("Dockerfile")).replace("\\\n", " ");
        for (String line : text.split("\n")) {
            line = line.strip();
            if (line.isEmpty() || line.startsWith("#")) {
                continue;
            }
            int space = line.indexOf(' ');
            String instruction = line.substring(0, space);
            String rest = line.substring(space + 1).strip();
            instructions.computeIfAbsent(instruction, i -> new ArrayList<>()).add(rest);
            if (instruction.equals("ARG") && rest.contains("=")) {
                args.put(rest.substring(0, rest.indexOf('=')), rest.substring(rest.indexOf('=') + 1));
            }
        }
        image = root.resolve(substitute(copySource()));
    }

    @AfterEach
    void kill() {
        if (gateway != null && gateway.isAlive()) {
            gateway.destroyForcibly();
        }
    }

    @Test
    void theDockerfileCopiesWhatTheBuildMakesAndKeepsItsPromises() {
        Matcher base = Pattern.compile("eclipse-temurin:(\\d+)-jre").matcher(single("FROM"));
        assertTrue(base.matches(), "a Temurin JRE base: " + single("FROM"));
        assertTrue(Integer.parseInt(base.group(1)) >= 21, "Java 21+: " + single("FROM"));
        assertTrue(Files.isExecutable(image.resolve("bin/sse-gateway")), "COPY source " + image + " is the distribution");
        String user = single("USER").split(":")[0];
        assertFalse(user.equals("0") || user.equals("root"), "runs as a non-root user: " + user);
        List<String> volumes = exec(single("VOLUME"));
        assertEquals(List.of("/opt/sse-gateway/plugins", "/opt/sse-gateway/conf"), volumes);
        for (String volume : volumes) {
            assertTrue(Files.isDirectory(inImage(volume)), volume + " exists in the distribution");
        }
        assertTrue(Files.isRegularFile(inImage("/opt/sse-gateway/conf/application.yaml")));
        List<String> entryPoint = exec(single("ENTRYPOINT"));
        assertTrue(Files.isExecutable(inImage(entryPoint.get(0))), "entry point " + entryPoint);
        String healthcheck = single("HEALTHCHECK");
        assertTrue(healthcheck.contains(" CMD ["), "exec-form HEALTHCHECK: " + healthcheck);
        List<String> check = exec(healthcheck.substring(healthcheck.indexOf("CMD ") + 4));
        assertTrue(Files.isExecutable(inImage(check.get(0))), "health check " + check);
        assertEquals("/opt/sse-gateway", single("WORKDIR"));
        assertTrue(environment().containsKey("GATEWAY_MANAGEMENT_PORT"));
    }

    @Test
    void theEntryPointRunsTheDistributionAsTheImageWould() throws Exception {
        Map<String, String> environment = environment();
        environment.put("PORT", "0");
        environment.put("GATEWAY_MANAGEMENT_PORT", "0");
        environment.put("GATEWAY_ACCESS_LOG", "true");
        Path log = logs.resolve("gateway.log");
        ProcessBuilder builder = new ProcessBuilder(mapped(exec(single("ENTRYPOINT"))))
                .directory(inImage(single("WORKDIR")).toFile())
                .redirectErrorStream(true)
                .redirectOutput(log.toFile());
        builder.environment().remove("JAVA_HOME");
        builder.environment().putAll(environment);
        gateway = builder.start();
        LaunchProbes.Ports ports = awaitStarted(gateway, log);
        int port = ports.port();
        int management = ports.management();
        assertTrue(management > 0, "no management port in the start-up lines; log:\n" + read(log));
        // the bound ports, as the image's fixed ones: the health check reads them from its environment
        environment.put("PORT", Integer.toString(port));
        environment.put("GATEWAY_MANAGEMENT_PORT", Integer.toString(management));
        SseClient.awaitCondition(() -> healthCheck(environment) == 0 || !gateway.isAlive(), WAIT,
                () -> "the health check never passed; log:\n" + read(log));
        SseClient.awaitCondition(() -> status(management, "/ready") == 200, WAIT, () -> "not ready:\n" + read(log));

        // the management port serves operations; the public one only streams
        for (String path : new String[] {"/metrics", "/api/stats", "/health", "/ready", "/dashboard"}) {
            assertEquals(200, Http.get(management, path).status(), path + " on the management port");
            assertEquals(404, Http.get(port, path).status(), path + " on the public port");
        }
        assertTrue(Http.get(management, "/metrics").body().contains("\nprocess_open_fds "));
        try (SseClient client = SseClient.subscribe(port, "box")) {
            Http.Response sent = Http.postJson(management, "/api/send", "{\"channel_id\":\"box\",\"event_type\":\"t\",\"data\":1}");
            assertEquals(200, sent.status(), sent.body());
            client.awaitMessages(1, Duration.ofSeconds(10));
        }
        assertEquals(400, Http.postJson(management, "/api/send", "{\"channel_id\":\"box\",\"event_type\":\"a\\nb\",\"data\":1}").status());
        SseClient.awaitCondition(() -> read(log).contains("sse_disconnect"), Duration.ofSeconds(10), () -> read(log));

        gateway.destroy(); // SIGTERM, as docker stop sends it to PID 1
        assertTrue(gateway.waitFor(30, TimeUnit.SECONDS), "did not exit after SIGTERM; log:\n" + read(log));
        assertEquals(0, gateway.exitValue(), read(log));
        assertEquals(1, healthCheck(environment), "the health check fails once the gateway is gone");

        List<JsonNode> lines = new ArrayList<>();
        for (String line : read(log).split("\n")) {
            try {
                lines.add(JSON.readTree(line));
            } catch (IOException e) {
                throw new AssertionError("a line that is not JSON: " + line + "\nlog:\n" + read(log), e);
            }
        }
        assertTrue(lines.size() >= 5, read(log));
        for (JsonNode line : lines) {
            for (String field : new String[] {"time", "level", "logger", "message"}) {
                assertNotNull(line.get(field), field + " in " + line);
            }
            assertFalse(line.get("level").asText().equals("WARNING") && line.get("message").asText().contains("invalid"),
                    "a client's 400 is no warning: " + line);
        }
        JsonNode started = lines.stream().filter(line -> line.get("message").asText().startsWith("Started in"))
                .findFirst().orElseThrow(() -> new AssertionError("no 'Started in' line"));
        assertFalse(started.path("instance_id").asText().isEmpty(), started.toString());
        JsonNode disconnect = lines.stream().filter(line -> "sse_disconnect".equals(line.path("event").asText()))
                .findFirst().orElseThrow();
        assertEquals("box", disconnect.get("channel").asText());
        assertEquals("box", disconnect.get("channel_id").asText());
        assertEquals(1, disconnect.get("events_sent").asInt());
        assertEquals("client_gone", disconnect.get("close_reason").asText());
        assertTrue(disconnect.get("duration_ms").asLong() >= 0);
        assertTrue(disconnect.get("client").asText().startsWith("127.0.0.1"), disconnect.toString());
    }

    @Test
    void aConfigurationErrorIsAJsonLineToo() throws Exception {
        Map<String, String> environment = environment();
        environment.put("GATEWAY_HEARTBEAT_INTERVAL", "often");
        ProcessBuilder builder = new ProcessBuilder(mapped(exec(single("ENTRYPOINT")))).redirectErrorStream(true);
        builder.environment().remove("JAVA_HOME");
        builder.environment().putAll(environment);
        Process process = builder.start();
        String output = new String(process.getInputStream().readAllBytes()).strip();
        assertTrue(process.waitFor(60, TimeUnit.SECONDS));
        assertEquals(2, process.exitValue(), output);
        String[] lines = output.split("\n");
        for (String line : lines) {
            JSON.readTree(line);
        }
        JsonNode last = JSON.readTree(lines[lines.length - 1]);
        assertEquals("SEVERE", last.get("level").asText(), output);
        assertTrue(last.get("message").asText().contains("heartbeat-interval"), output);
    }

    /** The image's environment: its ENV instructions. */
    private Map<String, String> environment() {
        Map<String, String> environment = new LinkedHashMap<>();
        Matcher pair = Pattern.compile("(\\w+)=(\\S+)").matcher(single("ENV"));
        while (pair.find()) {
            environment.put(pair.group(1), pair.group(2));
        }
        return environment;
    }

    /** Runs the image's HEALTHCHECK command against the gateway this test started; its exit status. */
    private int healthCheck(Map<String, String> environment) {
        String healthcheck = single("HEALTHCHECK");
        ProcessBuilder builder = new ProcessBuilder(mapped(exec(healthcheck.substring(healthcheck.indexOf("CMD ") + 4))))
                .redirectErrorStream(true).redirectOutput(ProcessBuilder.Redirect.DISCARD);
        builder.environment().putAll(environment);
        try {
            Process check = builder.start();
            assertTrue(check.waitFor(10, TimeUnit.SECONDS), "the health check hung");
            return check.exitValue();
        } catch (IOException e) {
            throw new AssertionError(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssertionError(e);
        }
    }

    private String copySource() {
        String copy = single("COPY");
        String[] parts = copy.split("\\s+");
        assertEquals(2, parts.length, "COPY <distribution>/ /opt/sse-gateway/: " + copy);
        assertEquals("/opt/sse-gateway/", parts[1]);
        return parts[0];
    }

    private String substitute(String value) {
        Matcher matcher = ARG.matcher(value);
        StringBuilder out = new StringBuilder();
        while (matcher.find()) {
            String arg = args.get(matcher.group(1));
            assertNotNull(arg, "ARG " + matcher.group(1) + " has a default");
            matcher.appendReplacement(out, Matcher.quoteReplacement(arg));
        }
        return matcher.appendTail(out).toString();
    }

    private String single(String instruction) {
        List<String> values = instructions.get(instruction);
        assertNotNull(values, "the Dockerfile has no " + instruction);
        assertEquals(1, values.size(), instruction + " appears once");
        return values.get(0);
    }

    /** An exec-form argument list, {@code ["a", "b"]}. */
    private static List<String> exec(String form) {
        try {
            JsonNode array = JSON.readTree(form);
            assertTrue(array.isArray(), "exec form (a JSON array): " + form);
            List<String> items = new ArrayList<>();
            array.forEach(item -> items.add(item.asText()));
            return items;
        } catch (IOException e) {
            throw new AssertionError("exec form (a JSON array): " + form, e);
        }
    }

    /** A path in the image, as a path in the distribution the Dockerfile copies there. */
    private Path inImage(String path) {
        assertTrue(path.startsWith("/opt/sse-gateway"), path);
        return image.resolve(path.substring("/opt/sse-gateway".length()).replaceFirst("^/", ""));
    }

    private List<String> mapped(List<String> command) {
        List<String> mapped = new ArrayList<>(command);
        mapped.set(0, inImage(command.get(0)).toString());
        return mapped;
    }
}
