package io.ssegateway.plugin.gcp;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.UncheckedIOException;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

/**
 * The official Pub/Sub emulator (Debian package {@code google-cloud-cli-pubsub-emulator}), started as a child
 * process on a free loopback port and stopped by its pid. Where it lives: system property
 * {@code pubsub.emulator.home} (set by the module's pom), else {@code /usr/lib/google-cloud-sdk/platform/pubsub-emulator}.
 * A missing emulator fails the tests that need it, with the command that installs it: they never skip.
 * <p>
 * Public, and shipped in this module's test jar, for the distribution test, which runs the shipped plugin against it.
 */
public final class PubSubEmulator implements PubSubBackend {

    private static final String DEFAULT_HOME = "/usr/lib/google-cloud-sdk/platform/pubsub-emulator";
    private static final long START_TIMEOUT_SECONDS = 60;

    private final Path jar;
    private final int port;
    private final List<String> output = new CopyOnWriteArrayList<>();
    private volatile Process process;

    private PubSubEmulator(Path jar, int port) {
        this.jar = jar;
        this.port = port;
    }

    /** Starts the emulator on a free port and waits until it listens. */
    public static PubSubEmulator start() throws IOException, InterruptedException {
        PubSubEmulator emulator = new PubSubEmulator(findJar(), freePort());
        emulator.startProcess();
        // a test JVM that dies without running @AfterAll must not leave the emulator behind
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            Process running = emulator.process;
            if (running != null) {
                running.destroyForcibly();
            }
        }, "pubsub-emulator-stop"));
        return emulator;
    }

    private static Path findJar() throws IOException {
        Path home = Path.of(System.getProperty("pubsub.emulator.home", DEFAULT_HOME));
        Path lib = home.resolve("lib");
        if (Files.isDirectory(lib)) {
            try (Stream<Path> jars = Files.list(lib)) {
                var found = jars.filter(path -> path.getFileName().toString().matches("cloud-pubsub-emulator-.*\\.jar")).findFirst();
                if (found.isPresent()) {
                    return found.get();
                }
            }
        }
        throw new AssertionError("The Pub/Sub emulator is not installed (no cloud-pubsub-emulator-*.jar in " + lib
                + "). Install the Debian package google-cloud-cli-pubsub-emulator (from Google's cloud-sdk apt"
                + " repository), or point -Dpubsub.emulator.home at an emulator directory. See the README, section \"Google Cloud Pub/Sub source\".");
    }

    /** {@code 127.0.0.1:<port>}: plaintext gRPC, and the REST API on the same port. */
    @Override
    public String endpoint() {
        return "127.0.0.1:" + port;
    }

    /** Starts it (again) on the same port: a restarted emulator has no topics or subscriptions. */
    void startProcess() throws IOException, InterruptedException {
        // the emulator is a Java program; run it on this JVM's java
        String java = ProcessHandle.current().info().command().orElse("java");
        process = new ProcessBuilder(java, "-Xmx256m", "-jar", jar.toString(), "--host=127.0.0.1", "--port=" + port)
                .redirectErrorStream(true)
                .start();
        CountDownLatch listening = new CountDownLatch(1);
        Process started = process;
        Thread.ofPlatform().daemon().name("pubsub-emulator-output").start(() -> {
            try (BufferedReader lines = new BufferedReader(new InputStreamReader(started.getInputStream(), StandardCharsets.UTF_8))) {
                for (String line = lines.readLine(); line != null; line = lines.readLine()) {
                    output.add(line);
                    if (line.contains("Server started, listening on")) {
                        listening.countDown();
                    }
                }
            } catch (IOException ignored) {
                // the process ended
            }
        });
        if (!listening.await(START_TIMEOUT_SECONDS, TimeUnit.SECONDS)) {
            stopProcess();
            throw new AssertionError("the Pub/Sub emulator did not start within " + START_TIMEOUT_SECONDS + " s: " + output);
        }
    }

    /** Stops the emulator process (by its pid), as an outage would. */
    void stopProcess() throws InterruptedException {
        if (process == null) {
            return;
        }
        ProcessHandle handle = process.toHandle();
        handle.destroy();
        if (!process.waitFor(5, TimeUnit.SECONDS)) {
            handle.destroyForcibly();
            process.waitFor(5, TimeUnit.SECONDS);
        }
        process = null;
    }

    @Override
    public void close() throws InterruptedException {
        stopProcess();
    }

    @Override
    public String toString() {
        return "Pub/Sub emulator at " + endpoint();
    }

    private static int freePort() {
        try (ServerSocket socket = new ServerSocket(0)) {
            return socket.getLocalPort();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
