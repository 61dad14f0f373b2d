package io.ssegateway.distribution;

import io.ssegateway.host.testkit.Http;
import java.io.IOException;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;

/** Small helpers for the tests that launch the packaged gateway as a process and wait for it over HTTP. */
final class LaunchProbes {

    private LaunchProbes() {
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
