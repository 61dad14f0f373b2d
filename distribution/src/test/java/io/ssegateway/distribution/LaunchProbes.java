package io.ssegateway.distribution;

import static org.junit.jupiter.api.Assertions.assertTrue;

import io.ssegateway.host.testkit.Http;
import io.ssegateway.host.testkit.MainProcess;
import io.ssegateway.host.testkit.SseClient;
import java.io.IOException;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;

/**
 * Small helpers for the tests that launch the packaged gateway as a process and wait for it over HTTP. Launch it with
 * {@code PORT=0} and read the bound port from its start-up line: a port picked here and bound later by the child could
 * be taken meanwhile.
 */
final class LaunchProbes {

    private static final Duration WAIT = Duration.ofSeconds(60);

    private LaunchProbes() {
    }

    /** Waits for the launcher's "Started … serving port N" line in {@code log}; fails if the process exits first. */
    static int awaitStarted(Process process, Path log) {
        SseClient.awaitCondition(() -> MainProcess.startedPort(read(log)) > 0 || !process.isAlive(), WAIT,
                () -> "not started; log:\n" + read(log));
        String output = read(log);
        int port = MainProcess.startedPort(output);
        assertTrue(port > 0, "exited instead of starting; log:\n" + output);
        return port;
    }

    /** The port of the launcher's "Started … serving port N" line, once {@code /ready} answers 200 there. */
    static int awaitReady(Process process, Path log) {
        int port = awaitStarted(process, log);
        SseClient.awaitCondition(() -> status(port, "/ready") == 200, WAIT, () -> "not ready; log:\n" + read(log));
        return port;
    }

    /** The status {@code GET path} answers on {@code port}, or -1 while nothing answers yet. */
    static int status(int port, String path) {
        try {
            return Http.get(port, path).status();
        } catch (RuntimeException notYet) {
            return -1;
        }
    }

    static int freePort() throws IOException {
        try (ServerSocket socket = new ServerSocket(0)) {
            return socket.getLocalPort();
        }
    }

    /** The log's text, or the reason it cannot be read (for assertion messages). */
    static String read(Path log) {
        try {
            return Files.readString(log);
        } catch (IOException e) {
            return e.toString();
        }
    }
}
