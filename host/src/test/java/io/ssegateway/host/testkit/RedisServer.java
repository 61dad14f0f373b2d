package io.ssegateway.host.testkit;

import java.io.BufferedInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * A real {@code redis-server} for tests: started on a free loopback port with persistence off, stopped by its pid,
 * and restartable on the same port (to test outages). {@link #command} talks to it over a plain RESP socket, so tests
 * need no client library to check what a plugin wrote.
 * <pre>{@code
 * try (RedisServer redis = RedisServer.start()) {
 *     String url = redis.url();                  // redis://127.0.0.1:<port>
 *     redis.command("XLEN", "sse:stream:u1");    // a Long
 *     redis.kill();  ...  redis.restart();
 * }
 * }</pre>
 * The binary is {@code redis-server} from the {@code PATH}, or the file named by the {@code REDIS_SERVER} environment
 * variable.
 */
public final class RedisServer implements AutoCloseable {

    private static final Duration START_TIMEOUT = Duration.ofSeconds(15);

    private final int port;
    private final Path logFile;
    private final List<String> leading;
    private final List<String> trailing;
    private volatile Process process;

    private RedisServer(int port, Path logFile, List<String> leading, List<String> trailing) {
        this.port = port;
        this.logFile = logFile;
        this.leading = List.copyOf(leading);
        this.trailing = List.copyOf(trailing);
    }

    /** Starts a server on a free port and waits until it answers {@code PING}. */
    public static RedisServer start() {
        return start(List.of(), List.of());
    }

    /**
     * Starts a server on {@code port} (0: a free one) with {@code leading} arguments before the standard ones (a
     * configuration file) and {@code trailing} ones after them ({@code --cluster-enabled yes}, {@code --sentinel}),
     * and waits until it answers {@code PING}. {@link #restart} uses the same arguments.
     */
    public static RedisServer start(int port, List<String> leading, List<String> trailing) {
        try {
            RedisServer server = new RedisServer(port == 0 ? freePort() : port,
                    Files.createTempFile("redis-test-", ".log"), leading, trailing);
            server.launch();
            return server;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** {@link #start(int, List, List)} on a free port. */
    public static RedisServer start(List<String> leading, List<String> trailing) {
        return start(0, leading, trailing);
    }

    /** A free loopback port right now (for configuration files that must name their port). */
    public static int freeLoopbackPort() {
        try {
            return freePort();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Suspends the process ({@code SIGSTOP}): it keeps its connections but answers nothing, like a hung host. */
    public void pause() {
        signal("-STOP");
    }

    /** Resumes a {@linkplain #pause paused} process ({@code SIGCONT}). */
    public void resume() {
        signal("-CONT");
    }

    private void signal(String signal) {
        try {
            Process kill = new ProcessBuilder("kill", signal, Long.toString(pid())).inheritIO().start();
            if (!kill.waitFor(5, TimeUnit.SECONDS) || kill.exitValue() != 0) {
                throw new IllegalStateException("kill " + signal + " " + pid() + " failed");
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted", e);
        }
    }

    public int port() {
        return port;
    }

    /** {@code redis://127.0.0.1:<port>}. */
    public String url() {
        return "redis://127.0.0.1:" + port;
    }

    /** The pid of the running server process. */
    public long pid() {
        Process current = process;
        if (current == null || !current.isAlive()) {
            throw new IllegalStateException("redis-server on port " + port + " is not running");
        }
        return current.pid();
    }

    public boolean isRunning() {
        Process current = process;
        return current != null && current.isAlive();
    }

    /** Stops the server with SIGTERM (a clean shutdown) and waits for it to exit. */
    public void stop() {
        Process current = process;
        if (current == null) {
            return;
        }
        current.destroy();
        awaitExit(current);
        process = null;
    }

    /** Kills the server with SIGKILL, like a crash: clients see their connections reset. */
    public void kill() {
        Process current = process;
        if (current == null) {
            return;
        }
        current.destroyForcibly();
        awaitExit(current);
        process = null;
    }

    /** Starts the server again on the same port (it comes back empty: persistence is off). */
    public void restart() {
        if (isRunning()) {
            throw new IllegalStateException("redis-server on port " + port + " is still running");
        }
        launch();
    }

    @Override
    public void close() {
        kill();
        try {
            Files.deleteIfExists(logFile);
        } catch (IOException ignored) {
            // a temp file
        }
    }

    /**
     * Runs one command on a fresh connection and returns the reply: {@code String} (simple or bulk string),
     * {@code Long}, {@code List<Object>}, or {@code null}. A Redis error reply throws {@link RedisError}.
     */
    public Object command(String... arguments) {
        try (Socket socket = new Socket()) {
            socket.connect(new InetSocketAddress("127.0.0.1", port), 2_000);
            socket.setSoTimeout(10_000);
            OutputStream out = socket.getOutputStream();
            out.write(encode(arguments));
            out.flush();
            return read(new BufferedInputStream(socket.getInputStream()));
        } catch (IOException e) {
            throw new UncheckedIOException("redis command " + arguments[0] + " on port " + port + " failed", e);
        }
    }

    /** A Redis error reply ({@code -ERR …}). */
    public static final class RedisError extends RuntimeException {
        public RedisError(String message) {
            super(message);
        }
    }

    private void launch() {
        String binary = System.getenv().getOrDefault("REDIS_SERVER", "redis-server");
        List<String> commandLine = new ArrayList<>();
        commandLine.add(binary);
        commandLine.addAll(leading);
        commandLine.addAll(List.of("--port", Integer.toString(port), "--bind", "127.0.0.1", "--save", "",
                "--appendonly", "no", "--protected-mode", "no"));
        commandLine.addAll(trailing);
        ProcessBuilder builder = new ProcessBuilder(commandLine)
                .redirectErrorStream(true)
                .redirectOutput(ProcessBuilder.Redirect.appendTo(logFile.toFile()));
        try {
            process = builder.start();
        } catch (IOException e) {
            throw new UncheckedIOException("could not run " + binary + " (install redis-server or set REDIS_SERVER)", e);
        }
        long deadline = System.nanoTime() + START_TIMEOUT.toNanos();
        while (true) {
            if (!process.isAlive()) {
                throw new IllegalStateException("redis-server exited at start on port " + port + ": " + log());
            }
            try {
                if ("PONG".equals(command("PING"))) {
                    return;
                }
            } catch (UncheckedIOException | RedisError notYet) {
                // still starting
            }
            if (System.nanoTime() - deadline > 0) {
                kill();
                throw new IllegalStateException("redis-server did not answer on port " + port + " within " + START_TIMEOUT);
            }
            try {
                Thread.sleep(10);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IllegalStateException("interrupted", e);
            }
        }
    }

    /** What the server logged so far. */
    public String log() {
        try {
            return Files.readString(logFile);
        } catch (IOException e) {
            return "(no log: " + e + ")";
        }
    }

    private void awaitExit(Process current) {
        try {
            if (!current.waitFor(10, TimeUnit.SECONDS)) {
                current.destroyForcibly().waitFor(5, TimeUnit.SECONDS);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private static int freePort() throws IOException {
        try (ServerSocket socket = new ServerSocket()) {
            socket.setReuseAddress(true);
            socket.bind(new InetSocketAddress("127.0.0.1", 0));
            return socket.getLocalPort();
        }
    }

    private static byte[] encode(String... arguments) {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        bytes.writeBytes(("*" + arguments.length + "\r\n").getBytes(StandardCharsets.US_ASCII));
        for (String argument : arguments) {
            byte[] value = argument.getBytes(StandardCharsets.UTF_8);
            bytes.writeBytes(("$" + value.length + "\r\n").getBytes(StandardCharsets.US_ASCII));
            bytes.writeBytes(value);
            bytes.writeBytes("\r\n".getBytes(StandardCharsets.US_ASCII));
        }
        return bytes.toByteArray();
    }

    private static Object read(InputStream in) throws IOException {
        int type = in.read();
        String line = readLine(in);
        return switch (type) {
            case '+' -> line;
            case '-' -> throw new RedisError(line);
            case ':' -> Long.parseLong(line);
            case '$' -> {
                int length = Integer.parseInt(line);
                if (length < 0) {
                    yield null;
                }
                byte[] value = in.readNBytes(length);
                readLine(in);
                yield new String(value, StandardCharsets.UTF_8);
            }
            case '*' -> {
                int count = Integer.parseInt(line);
                if (count < 0) {
                    yield null;
                }
                List<Object> items = new ArrayList<>(count);
                for (int i = 0; i < count; i++) {
                    items.add(read(in));
                }
                yield items;
            }
            case -1 -> throw new IOException("connection closed");
            default -> throw new IOException("unexpected RESP type '" + (char) type + "'");
        };
    }

    private static String readLine(InputStream in) throws IOException {
        ByteArrayOutputStream line = new ByteArrayOutputStream();
        int b;
        while ((b = in.read()) != '\r') {
            if (b < 0) {
                throw new IOException("connection closed");
            }
            line.write(b);
        }
        in.read();
        return line.toString(StandardCharsets.UTF_8);
    }
}
