package io.ssegateway.distribution;

import io.ssegateway.host.testkit.Http;
import io.ssegateway.host.testkit.MainProcess;
import io.ssegateway.host.testkit.SseClient;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Small helpers for the tests that launch the packaged gateway as a process and wait for it over HTTP. Launch it with
 * {@code PORT=0} (and {@code GATEWAY_MANAGEMENT_PORT=0}) and read the bound ports from its start-up lines: a port picked
 * here and bound later by the child could be taken meanwhile.
 */
final class LaunchProbes {

    private static final Duration WAIT = Duration.ofSeconds(60);
    /** Gateway's "listening on …, management on host:port …" (the host may be IPv6, hence the last colon). */
    private static final Pattern MANAGEMENT = Pattern.compile(", management on \\S*:(\\d+)");

    /** The ports a launched gateway bound; {@code management} is -1 without a management listener. */
    record Ports(int port, int management) {
    }

    private LaunchProbes() {
    }

    /** Waits for the launcher's "Started … serving port N" line in {@code log}; fails if the process exits first. */
    static Ports awaitStarted(Process process, Path log) {
        int port = MainProcess.awaitStartedPort(process, () -> read(log));
        // the "listening on" line is logged before the "Started" one
        return new Ports(port, managementPort(read(log)));
    }

    /** The port of the launcher's "Started … serving port N" line, once {@code /ready} answers 200 there. */
    static int awaitReady(Process process, Path log) {
        int port = awaitStarted(process, log).port();
        SseClient.awaitCondition(() -> status(port, "/ready") == 200, WAIT, () -> "not ready; log:\n" + read(log));
        return port;
    }

    /** The management port the gateway's "listening on" line names in {@code output}, or -1 if none. */
    static int managementPort(String output) {
        Matcher management = MANAGEMENT.matcher(output);
        return management.find() ? Integer.parseInt(management.group(1)) : -1;
    }

    /** The status {@code GET path} answers on {@code port}, or -1 while nothing answers yet. */
    static int status(int port, String path) {
        try {
            return Http.get(port, path).status();
        } catch (RuntimeException notYet) {
            return -1;
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
