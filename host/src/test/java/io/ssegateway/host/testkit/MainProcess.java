package io.ssegateway.host.testkit;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * {@code bin/sse-gateway} as a user runs it: {@code launcher.Main} in its own JVM with this test's class path, a home
 * folder ({@code conf/}, {@code plugins/}) and an environment of the test's choosing; its output in a file.
 */
public final class MainProcess implements AutoCloseable {

    /** How a run that ended went. */
    public record Exit(int code, String output) {
    }

    private static final Pattern STARTED = Pattern.compile("Started in .* serving port (\\d+)");

    private final Process process;
    private final Path log;

    private MainProcess(Process process, Path log) {
        this.process = process;
        this.log = log;
    }

    /** The command that runs {@code Main} on {@code home}. */
    public static List<String> command(Path home) {
        String java = ProcessHandle.current().info().command().orElse("java");
        return new ArrayList<>(List.of(java, "-Dssegateway.home=" + home, "-cp", System.getProperty("java.class.path"),
                "io.ssegateway.host.launcher.Main"));
    }

    /** Starts {@code command} with {@code environment} added to this process's. */
    public static MainProcess start(List<String> command, Path home, Map<String, String> environment) throws IOException {
        Path log = Files.createTempFile(home, "main-", ".log");
        ProcessBuilder builder = new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(log.toFile());
        builder.environment().putAll(environment);
        return new MainProcess(builder.start(), log);
    }

    /** Runs {@code Main} on {@code home} until it exits (expected: a failure) within a minute. */
    public static Exit runToExit(Path home, Map<String, String> environment) throws Exception {
        try (MainProcess main = start(command(home), home, environment)) {
            return main.awaitExit(Duration.ofSeconds(60));
        }
    }

    /** Waits for the process to exit; fails if it is still running after {@code timeout}. */
    public Exit awaitExit(Duration timeout) throws InterruptedException {
        if (!process.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
            process.destroyForcibly();
            throw new AssertionError("Main kept running instead of exiting:\n" + output());
        }
        return new Exit(process.exitValue(), output());
    }

    /**
     * Waits for the launcher's "Started … serving port N" line and returns N; fails if the process exits first. Start
     * it with {@code PORT=0}: a port picked here and bound later by the child can be taken meanwhile.
     */
    public int awaitStartedPort() {
        return awaitStartedPort(process, this::output);
    }

    /**
     * Waits (at most a minute) for the launcher's "Started … serving port N" line in what {@code output} reads of a
     * launched gateway's output, and returns N; fails with that output if the process exits first.
     */
    public static int awaitStartedPort(Process process, Supplier<String> output) {
        SseClient.awaitCondition(() -> startedPort(output.get()) > 0 || !process.isAlive(), Duration.ofSeconds(60),
                () -> "no start-up line; output:\n" + output.get());
        int port = startedPort(output.get());
        if (port <= 0) {
            throw new AssertionError("the gateway exited instead of starting:\n" + output.get());
        }
        return port;
    }

    /** The port named by the launcher's "Started … serving port N" line in {@code output}, or -1 before that line. */
    public static int startedPort(String output) {
        Matcher started = STARTED.matcher(output);
        return started.find() ? Integer.parseInt(started.group(1)) : -1;
    }

    /** Waits until the gateway on {@code port} answers {@code /ready} with 200; fails if the process exits first. */
    public MainProcess awaitReady(int port) {
        SseClient.awaitCondition(() -> ready(port) || !process.isAlive(), Duration.ofSeconds(60), this::output);
        if (!process.isAlive()) {
            throw new AssertionError("Main exited instead of starting:\n" + output());
        }
        return this;
    }

    public boolean isAlive() {
        return process.isAlive();
    }

    public long pid() {
        return process.pid();
    }

    /** Everything the process wrote so far. */
    public String output() {
        try {
            return Files.exists(log) ? Files.readString(log) : "";
        } catch (IOException e) {
            return e.toString();
        }
    }

    /** Sends SIGTERM and waits for the exit (a graceful shutdown exits 0). */
    public Exit stop() throws InterruptedException {
        process.destroy();
        return awaitExit(Duration.ofSeconds(30));
    }

    @Override
    public void close() {
        if (process.isAlive()) {
            process.destroyForcibly();
        }
    }

    private static boolean ready(int port) {
        try {
            return Http.get(port, "/ready").status() == 200;
        } catch (RuntimeException notYet) {
            return false;
        }
    }
}
