package io.ssegateway.distribution;

import io.ssegateway.host.testkit.Http;
import java.io.IOException;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Base64;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

/**
 * The official Pub/Sub emulator ({@code google-cloud-cli-pubsub-emulator}) as a child process on a free port, driven
 * through its REST API. Missing → the test fails with the install command (it never skips).
 */
final class PubSubEmulatorProcess implements AutoCloseable {

    private static final Path HOME = Path.of(System.getProperty("pubsub.emulator.home",
            "/usr/lib/google-cloud-sdk/platform/pubsub-emulator"));
    private static final HttpClient CLIENT = HttpClient.newHttpClient();

    private final Process process;
    private final int port;

    private PubSubEmulatorProcess(Process process, int port) {
        this.process = process;
        this.port = port;
    }

    static PubSubEmulatorProcess start(Path log) throws Exception {
        Path jar;
        try (Stream<Path> jars = Files.list(HOME.resolve("lib"))) {
            jar = jars.filter(p -> p.getFileName().toString().matches("cloud-pubsub-emulator-.*\\.jar")).findFirst()
                    .orElseThrow();
        } catch (IOException | java.util.NoSuchElementException e) {
            throw new AssertionError("The Pub/Sub emulator is not installed in " + HOME
                    + ": apt-get install google-cloud-cli-pubsub-emulator (see the README, section \"Google Cloud Pub/Sub source\")", e);
        }
        int port;
        try (ServerSocket socket = new ServerSocket(0)) {
            port = socket.getLocalPort();
        }
        String java = ProcessHandle.current().info().command().orElse("java");
        Process process = new ProcessBuilder(java, "-Xmx256m", "-jar", jar.toString(), "--host=127.0.0.1", "--port=" + port)
                .redirectErrorStream(true).redirectOutput(log.toFile()).start();
        PubSubEmulatorProcess emulator = new PubSubEmulatorProcess(process, port);
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
        while (!Files.readString(log).contains("Server started, listening on")) {
            if (!process.isAlive() || System.nanoTime() > deadline) {
                emulator.close();
                throw new AssertionError("the Pub/Sub emulator did not start: " + Files.readString(log));
            }
            Thread.sleep(20);
        }
        return emulator;
    }

    String hostPort() {
        return "127.0.0.1:" + port;
    }

    void createTopic(String project, String topic) throws Exception {
        call("PUT", "/v1/projects/" + project + "/topics/" + topic, "{}");
    }

    void publish(String project, String topic, String data, Map<String, String> attributes) throws Exception {
        var message = Http.JSON.createObjectNode()
                .put("data", Base64.getEncoder().encodeToString(data.getBytes(StandardCharsets.UTF_8)));
        var attrs = message.putObject("attributes");
        attributes.forEach(attrs::put);
        var body = Http.JSON.createObjectNode();
        body.putArray("messages").add(message);
        call("POST", "/v1/projects/" + project + "/topics/" + topic + ":publish", body.toString());
    }

    private void call(String method, String path, String json) throws Exception {
        HttpResponse<String> response = CLIENT.send(HttpRequest.newBuilder(URI.create("http://" + hostPort() + path))
                .timeout(Duration.ofSeconds(30))
                .header("Content-Type", "application/json")
                .method(method, HttpRequest.BodyPublishers.ofString(json)).build(), HttpResponse.BodyHandlers.ofString());
        if (response.statusCode() != 200) {
            throw new AssertionError(method + " " + path + " → " + response.statusCode() + " " + response.body());
        }
    }

    @Override
    public void close() throws InterruptedException {
        process.destroy();
        if (!process.waitFor(5, TimeUnit.SECONDS)) {
            process.destroyForcibly().waitFor(5, TimeUnit.SECONDS);
        }
    }
}
