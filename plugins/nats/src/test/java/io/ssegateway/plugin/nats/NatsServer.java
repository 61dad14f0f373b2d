package io.ssegateway.plugin.nats;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Comparator;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

/**
 * A real {@code nats-server -js} for tests: on a free loopback port with a JetStream store directory of its own,
 * stopped by its pid, restartable on the same port with the same store (what it had stored comes back). The binary is
 * {@code nats-server} from the {@code PATH} (Debian installs it in {@code /usr/sbin}, which is tried too), or the file
 * named by the {@code NATS_SERVER} environment variable. Public, in this module's test jar: the distribution's tests run
 * the shipped plugin against it.
 */
public final class NatsServer implements AutoCloseable {

    private static final Duration START_TIMEOUT = Duration.ofSeconds(15);

    private final int port;
    private final Path storeDir;
    private final Path logFile;
    private volatile Process process;

    private NatsServer(int port, Path storeDir, Path logFile) {
        this.port = port;
        this.storeDir = storeDir;
        this.logFile = logFile;
    }

    public static NatsServer start() {
        try {
            NatsServer server = new NatsServer(freePort(), Files.createTempDirectory("nats-test-store-"),
                    Files.createTempFile("nats-test-", ".log"));
            server.launch();
            return server;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** {@code nats://127.0.0.1:<port>}. */
    public String url() {
        return "nats://127.0.0.1:" + port;
    }

    public int port() {
        return port;
    }

    public boolean isRunning() {
        Process current = process;
        return current != null && current.isAlive();
    }

    /** Kills the server with SIGKILL, like a crash (the file store keeps what was flushed). */
    public void kill() {
        Process current = process;
        if (current == null) {
            return;
        }
        current.destroyForcibly();
        try {
            current.waitFor(10, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        process = null;
    }

    /** Stops the server with SIGTERM (a clean shutdown, store flushed) and waits for it to exit. */
    public void stop() {
        Process current = process;
        if (current == null) {
            return;
        }
        current.destroy();
        try {
            if (!current.waitFor(10, TimeUnit.SECONDS)) {
                current.destroyForcibly().waitFor(5, TimeUnit.SECONDS);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        process = null;
    }

    /** Starts the server again on the same port and store. */
    public void restart() {
        if (isRunning()) {
            throw new IllegalStateException("nats-server on port " + port + " is still running");
        }
        launch();
    }

    @Override
    public void close() {
        kill();
        try (Stream<Path> files = Files.walk(storeDir)) {
            files.sorted(Comparator.reverseOrder()).forEach(path -> path.toFile().delete());
            Files.deleteIfExists(logFile);
        } catch (IOException ignored) {
            // temp files
        }
    }

    private void launch() {
        String binary = binary();
        ProcessBuilder builder = new ProcessBuilder(binary, "-js", "-a", "127.0.0.1", "-p", Integer.toString(port),
                "-sd", storeDir.toString())
                .redirectErrorStream(true)
                .redirectOutput(ProcessBuilder.Redirect.appendTo(logFile.toFile()));
        try {
            process = builder.start();
        } catch (IOException e) {
            throw new UncheckedIOException("could not run " + binary + " (install nats-server or set NATS_SERVER)", e);
        }
        long deadline = System.nanoTime() + START_TIMEOUT.toNanos();
        while (!answers()) {
            if (!process.isAlive()) {
                throw new IllegalStateException("nats-server exited at start on port " + port + ": " + log());
            }
            if (System.nanoTime() - deadline > 0) {
                kill();
                throw new IllegalStateException("nats-server did not answer on port " + port + " within " + START_TIMEOUT);
            }
            try {
                Thread.sleep(10);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IllegalStateException("interrupted", e);
            }
        }
    }

    /** Whether the server sends its INFO line (it does once it accepts clients; JetStream is ready by then). */
    private boolean answers() {
        try (Socket socket = new Socket()) {
            socket.connect(new InetSocketAddress("127.0.0.1", port), 500);
            socket.setSoTimeout(1000);
            byte[] start = socket.getInputStream().readNBytes(4);
            return "INFO".equals(new String(start, StandardCharsets.US_ASCII));
        } catch (IOException notYet) {
            return false;
        }
    }

    private static String binary() {
        String configured = System.getenv("NATS_SERVER");
        if (configured != null && !configured.isBlank()) {
            return configured;
        }
        for (String dir : System.getenv().getOrDefault("PATH", "").split(java.io.File.pathSeparator)) {
            if (!dir.isEmpty() && Files.isExecutable(Path.of(dir, "nats-server"))) {
                return Path.of(dir, "nats-server").toString();
            }
        }
        return Files.isExecutable(Path.of("/usr/sbin/nats-server")) ? "/usr/sbin/nats-server" : "nats-server";
    }

    private String log() {
        try {
            return Files.readString(logFile);
        } catch (IOException e) {
            return "(no log: " + e + ")";
        }
    }

    private static int freePort() throws IOException {
        try (ServerSocket socket = new ServerSocket()) {
            socket.setReuseAddress(true);
            socket.bind(new InetSocketAddress("127.0.0.1", 0));
            return socket.getLocalPort();
        }
    }
}
