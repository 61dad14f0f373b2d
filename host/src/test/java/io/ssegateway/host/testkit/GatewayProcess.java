package io.ssegateway.host.testkit;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * The launcher ({@code io.ssegateway.host.launcher.Main}) in a child JVM on this test's class path, optionally under
 * a lower open-files limit ({@code ulimit -n}), configured by environment variables; its output goes to a file.
 */
public final class GatewayProcess implements AutoCloseable {

    private final Process process;
    private final Path output;
    /** Read from the launcher's start-up line; 0 until then. */
    private volatile int port;

    private GatewayProcess(Process process, Path output) {
        this.process = process;
        this.output = output;
    }

    /**
     * Starts the launcher on a port of the system's choice ({@code PORT=0}, read back from its start-up line: a port
     * picked here could be taken before the child binds it) with {@code environment} (a {@code PORT} in it wins), its
     * home an empty folder under {@code dir}; {@code openFiles > 0} runs it under {@code ulimit -n openFiles}.
     */
    public static GatewayProcess start(Path dir, int openFiles, Map<String, String> environment)
            throws IOException {
        Path home = Files.createDirectories(dir.resolve("home"));
        Path output = dir.resolve("gateway.log");
        List<String> java = new ArrayList<>(List.of(ProcessHandle.current().info().command().orElse("java"),
                "-Xss512k", "-Xmx256m", "-XX:+UseSerialGC", "-Dssegateway.home=" + home,
                "-cp", System.getProperty("java.class.path"), "io.ssegateway.host.launcher.Main"));
        List<String> command = new ArrayList<>();
        if (openFiles > 0) {
            command.addAll(List.of("bash", "-c", "ulimit -n " + openFiles + " && exec \"$@\"", "gateway"));
        }
        command.addAll(java);
        ProcessBuilder builder = new ProcessBuilder(command).redirectErrorStream(true)
                .redirectOutput(output.toFile());
        builder.environment().put("PORT", "0");
        builder.environment().putAll(environment);
        return new GatewayProcess(builder.start(), output);
    }

    /** The port it listens on; waits for its start-up line (at most a minute), failing if it exits first. */
    public int port() {
        if (port == 0) {
            port = MainProcess.awaitStartedPort(process, this::output);
        }
        return port;
    }

    public long pid() {
        return process.pid();
    }

    /** Waits until {@code /health} answers 200, failing with the output if the process exits or the time runs out. */
    public GatewayProcess awaitHealthy(Duration timeout) {
        port();
        SseClient.awaitCondition(() -> {
            if (!process.isAlive()) {
                throw new AssertionError("the gateway exited with " + process.exitValue() + ":\n" + output());
            }
            return healthStatus(Duration.ofSeconds(2)) == 200;
        }, timeout, () -> "no healthy /health; output:\n" + output());
        return this;
    }

    /**
     * {@code GET /health} on a fresh connection: the status, or -1 if there was no answer within {@code timeout}
     * (refused, or waiting in the accept backlog).
     */
    public int healthStatus(Duration timeout) {
        try (java.net.Socket socket = new java.net.Socket()) {
            socket.connect(new java.net.InetSocketAddress("127.0.0.1", port()), (int) timeout.toMillis());
            socket.setSoTimeout((int) timeout.toMillis());
            socket.getOutputStream().write("GET /health HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n"
                    .getBytes(StandardCharsets.US_ASCII));
            String statusLine = new String(socket.getInputStream().readNBytes(12), StandardCharsets.US_ASCII);
            return statusLine.startsWith("HTTP/1.1 ") ? Integer.parseInt(statusLine.substring(9, 12)) : -1;
        } catch (IOException | NumberFormatException e) {
            return -1;
        }
    }

    /** Waits for the process to exit; its status, or fails with the output. */
    public int awaitExit(Duration timeout) throws InterruptedException {
        if (!process.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
            throw new AssertionError("the gateway did not exit within " + timeout.toMillis() + " ms:\n" + output());
        }
        return process.exitValue();
    }

    public boolean isAlive() {
        return process.isAlive();
    }

    /** Everything it printed so far. */
    public String output() {
        try {
            return Files.readString(output, StandardCharsets.UTF_8);
        } catch (IOException e) {
            return "(no output: " + e + ")";
        }
    }

    /** SIGTERM, then SIGKILL if it is still there after 10 s. */
    @Override
    public void close() throws InterruptedException {
        process.destroy();
        if (!process.waitFor(10, TimeUnit.SECONDS)) {
            process.destroyForcibly();
            process.waitFor(10, TimeUnit.SECONDS);
        }
    }
}
