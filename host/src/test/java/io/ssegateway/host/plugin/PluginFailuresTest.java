package io.ssegateway.host.plugin;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.ssegateway.host.testkit.MainProcess;
import io.ssegateway.host.testkit.SseClient;
import io.ssegateway.host.testkit.TestPlugins;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Plugin failures as a user meets them: {@code Main} in its own process, asserted on exit code and message. */
class PluginFailuresTest {

    @TempDir
    Path home;

    private Path plugins() {
        return home.resolve("plugins");
    }

    private void config(String yaml) throws IOException {
        Files.createDirectories(home.resolve("conf"));
        Files.writeString(home.resolve("conf/application.yaml"), "server:\n  port: 0\n" + yaml);
    }

    private MainProcess.Exit runToExit() throws Exception {
        return MainProcess.runToExit(home, Map.of());
    }

    private static void assertNoStackTrace(MainProcess.Exit run) {
        assertFalse(run.output().contains("\tat "), "a user-facing error must not be a stack trace:\n" + run.output());
    }

    @Test
    void aConfiguredJarWithoutPluginDescriptorStopsStartUp() throws Exception {
        Path jar = TestPlugins.withoutDescriptor(plugins());
        config("gateway:\n  source:\n    type: orphan\n");
        MainProcess.Exit run = runToExit();
        assertEquals(2, run.code(), run.output());
        assertTrue(run.output().contains("Unknown source type 'orphan' in gateway.source.type; available: noop"), run.output());
        assertTrue(run.output().contains(jar.toString()), run.output());
        assertTrue(run.output().contains("not a plugin: no Plugin-Id"), run.output());
    }

    @Test
    void aFactoryThatThrowsStopsStartUpNamingPluginJarAndCause() throws Exception {
        Path jar = TestPlugins.throwingFactory(plugins());
        config("gateway:\n  source:\n    type: boom\n");
        MainProcess.Exit run = runToExit();
        assertEquals(2, run.code(), run.output());
        assertTrue(run.output().contains("Could not create source 'boom' (plugin boom 1.0.0 (" + jar + "))"), run.output());
        assertTrue(run.output().contains("boom cannot connect to its broker"), run.output());
    }

    @Test
    void aSourceWhoseStartThrowsStopsStartUp() throws Exception {
        TestPlugins.throwingStart(plugins());
        config("gateway:\n  source:\n    type: crash\n");
        MainProcess.Exit run = runToExit();
        assertEquals(1, run.code(), run.output());
        assertTrue(run.output().contains("could not start: source 'crash' failed to start: java.io.IOException: "
                + "crash lost its subscription"), run.output());
    }

    @Test
    void aWrongSpiVersionSaysWhichVersions() throws Exception {
        Path jar = TestPlugins.wrongSpiVersion(plugins());
        config("gateway:\n  source:\n    type: future\n");
        MainProcess.Exit run = runToExit();
        assertEquals(2, run.code(), run.output());
        assertTrue(run.output().contains("plugin 'future' (" + jar + "): it requires the sse-gateway SPI >=9.0.0 and "
                + "this gateway provides 0.2.0"), run.output());
    }

    @Test
    void anUnknownTypeListsTheAvailableOnesIncludingPlugins() throws Exception {
        TestPlugins.greeterSource(plugins());
        config("gateway:\n  source:\n    type: kafka\n");
        MainProcess.Exit run = runToExit();
        assertEquals(2, run.code(), run.output());
        assertTrue(run.output().contains("Unknown source type 'kafka' in gateway.source.type; available: greeter, noop"),
                run.output());
        assertNoStackTrace(run);
    }

    @Test
    void aPluginsDirThatIsAFileIsAClearError() throws Exception {
        Files.writeString(home.resolve("not-a-dir"), "x");
        config("gateway:\n  plugins-dir: not-a-dir\n");
        MainProcess.Exit run = runToExit();
        assertEquals(2, run.code(), run.output());
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
        String dir = plugins().toString();
        String script = "mount --bind " + dir + " " + dir + " && mount -o remount,ro,bind " + dir
                + " && touch " + dir + "/probe 2>/dev/null && echo WRITABLE; exec \"$0\" \"$@\"";
        List<String> command = new ArrayList<>(List.of("unshare", "-m", "sh", "-c", script));
        command.addAll(MainProcess.command(home));
        try (MainProcess main = MainProcess.start(command, home, Map.of())) {
            int port = main.awaitStartedPort();
            main.awaitReady(port);
            try (SseClient client = SseClient.subscribe(port, "ro")) {
                assertEquals("HI RO!", client.awaitMessages(1, Duration.ofSeconds(10)).get(0).data());
            }
            assertFalse(main.output().contains("WRITABLE"), "the mount was not read-only");
            assertFalse(Files.exists(plugins().resolve("shouter-1.0.0")), "nothing may be written to plugins/");
            MainProcess.Exit exit = main.stop();
            assertEquals(0, exit.code(), exit.output());
        }
    }
}
