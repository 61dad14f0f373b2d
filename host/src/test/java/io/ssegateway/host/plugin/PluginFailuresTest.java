package io.ssegateway.host.plugin;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.ssegateway.host.testkit.Http;
import io.ssegateway.host.testkit.SseClient;
import io.ssegateway.host.testkit.TestPlugins;
import java.io.IOException;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Plugin failures as a user meets them: {@code Main} in its own process, asserted on exit code and message. */
class PluginFailuresTest {

    @TempDir
    Path home;

    private record Run(int exitCode, String output) {
    }

    private Path plugins() {
        return home.resolve("plugins");
    }

    private void config(String yaml) throws IOException {
        Files.createDirectories(home.resolve("conf"));
        Files.writeString(home.resolve("conf/application.yaml"), "server:\n  port: " + freePort() + "\n" + yaml);
    }

    private static int freePort() throws IOException {
        try (ServerSocket socket = new ServerSocket(0)) {
            return socket.getLocalPort();
        }
    }

    private static List<String> mainCommand(Path home) {
        String java = ProcessHandle.current().info().command().orElse("java");
        return new ArrayList<>(List.of(java, "-Dssegateway.home=" + home, "-cp", System.getProperty("java.class.path"),
                "io.ssegateway.host.Main"));
    }

    /** Runs {@code Main} until it exits (a failure) within a minute. */
    private Run runToExit(List<String> command) throws Exception {
        Path log = Files.createTempFile(home, "main-", ".log");
        Process process = new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(log.toFile()).start();
        if (!process.waitFor(60, TimeUnit.SECONDS)) {
            process.destroyForcibly();
            throw new AssertionError("Main kept running instead of failing:\n" + read(log));
        }
        return new Run(process.exitValue(), read(log));
    }

    private Run runToExit() throws Exception {
        return runToExit(mainCommand(home));
    }

    private static void assertNoStackTrace(Run run) {
        assertFalse(run.output().contains("\tat "), "a user-facing error must not be a stack trace:\n" + run.output());
    }

    @Test
    void aConfiguredJarWithoutPluginDescriptorStopsStartUp() throws Exception {
        Path jar = TestPlugins.withoutDescriptor(plugins());
        config("gateway:\n  source:\n    type: orphan\n");
        Run run = runToExit();
        assertEquals(2, run.exitCode(), run.output());
        assertTrue(run.output().contains("Unknown source type 'orphan' in gateway.source.type; available: noop"), run.output());
        assertTrue(run.output().contains(jar.toString()), run.output());
        assertTrue(run.output().contains("not a plugin: no Plugin-Id"), run.output());
    }

    @Test
    void aFactoryThatThrowsStopsStartUpNamingPluginJarAndCause() throws Exception {
        Path jar = TestPlugins.throwingFactory(plugins());
        config("gateway:\n  source:\n    type: boom\n");
        Run run = runToExit();
        assertEquals(2, run.exitCode(), run.output());
        assertTrue(run.output().contains("Could not create source 'boom' (plugin boom 1.0.0 (" + jar + "))"), run.output());
        assertTrue(run.output().contains("boom cannot connect to its broker"), run.output());
    }

    @Test
    void aSourceWhoseStartThrowsStopsStartUp() throws Exception {
        TestPlugins.throwingStart(plugins());
        config("gateway:\n  source:\n    type: crash\n");
        Run run = runToExit();
        assertEquals(1, run.exitCode(), run.output());
        assertTrue(run.output().contains("could not start: source 'crash' failed to start: java.io.IOException: "
                + "crash lost its subscription"), run.output());
    }

    @Test
    void aWrongSpiVersionSaysWhichVersions() throws Exception {
        Path jar = TestPlugins.wrongSpiVersion(plugins());
        config("gateway:\n  source:\n    type: future\n");
        Run run = runToExit();
        assertEquals(2, run.exitCode(), run.output());
        assertTrue(run.output().contains("plugin 'future' (" + jar + "): it requires the sse-gateway SPI >=9.0.0 and "
                + "this gateway provides 0.1.0"), run.output());
    }

    @Test
    void anUnknownTypeListsTheAvailableOnesIncludingPlugins() throws Exception {
        TestPlugins.greeterSource(plugins());
        config("gateway:\n  source:\n    type: kafka\n");
        Run run = runToExit();
        assertEquals(2, run.exitCode(), run.output());
        assertTrue(run.output().contains("Unknown source type 'kafka' in gateway.source.type; available: greeter, noop"),
                run.output());
        assertNoStackTrace(run);
    }

    @Test
    void aPluginsDirThatIsAFileIsAClearError() throws Exception {
        Files.writeString(home.resolve("not-a-dir"), "x");
        config("gateway:\n  plugins-dir: not-a-dir\n");
        Run run = runToExit();
        assertEquals(2, run.exitCode(), run.output());
        assertTrue(run.output().contains("gateway.plugins-dir " + home.resolve("not-a-dir") + " is not a directory"),
                run.output());
        assertNoStackTrace(run);
    }

    /**
     * A read-only plugins folder (bind-mounted read-only in a private mount namespace, since the tests run as root):
     * zip plugins are expanded elsewhere, so the gateway starts and uses them.
     */
    @Test
    void aReadOnlyPluginsFolderStillLoadsZipPlugins() throws Exception {
        TestPlugins.shouterZip(plugins());
        config("gateway:\n  source:\n    type: shouter\n");
        int port = Integer.parseInt(Files.readString(home.resolve("conf/application.yaml")).lines()
                .filter(line -> line.trim().startsWith("port:")).findFirst().orElseThrow().replaceAll("\\D", ""));
        String dir = plugins().toString();
        String script = "mount --bind " + dir + " " + dir + " && mount -o remount,ro,bind " + dir
                + " && touch " + dir + "/probe 2>/dev/null && echo WRITABLE; exec \"$0\" \"$@\"";
        List<String> command = new ArrayList<>(List.of("unshare", "-m", "sh", "-c", script));
        command.addAll(mainCommand(home));
        Process process = new ProcessBuilder(command).redirectErrorStream(true)
                .redirectOutput(home.resolve("ro.log").toFile()).start();
        try {
            SseClient.awaitCondition(() -> ready(port) || !process.isAlive(), Duration.ofSeconds(60),
                    () -> read(home.resolve("ro.log")));
            assertTrue(process.isAlive(), read(home.resolve("ro.log")));
            try (SseClient client = SseClient.subscribe(port, "ro")) {
                assertEquals("HI RO!", client.awaitMessages(1, Duration.ofSeconds(10)).get(0).data());
            }
            assertFalse(read(home.resolve("ro.log")).contains("WRITABLE"), "the mount was not read-only");
            assertFalse(Files.exists(plugins().resolve("shouter-1.0.0")), "nothing may be written to plugins/");
        } finally {
            process.destroy();
            assertTrue(process.waitFor(30, TimeUnit.SECONDS));
        }
        assertEquals(0, process.exitValue(), read(home.resolve("ro.log")));
    }

    private static boolean ready(int port) {
        try {
            return Http.get(port, "/ready").status() == 200;
        } catch (RuntimeException notYet) {
            return false;
        }
    }

    private static String read(Path file) {
        try {
            return Files.exists(file) ? Files.readString(file) : "";
        } catch (IOException e) {
            return e.toString();
        }
    }
}
