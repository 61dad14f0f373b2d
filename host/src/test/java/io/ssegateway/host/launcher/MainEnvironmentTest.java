package io.ssegateway.host.launcher;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.ssegateway.host.testkit.MainProcess;
import io.ssegateway.host.testkit.SseClient;
import io.ssegateway.host.testkit.TestPlugins;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code bin/sse-gateway} configured from the environment alone, on the distribution's own {@code conf/}: what a
 * twelve-factor deployment does.
 */
class MainEnvironmentTest {

    private static final Path SHIPPED_CONF = Path.of("../distribution/src/conf");

    @TempDir
    Path home;

    @BeforeEach
    void shippedConfiguration() throws Exception {
        Files.createDirectories(home.resolve("conf"));
        for (String file : new String[] {"application.yaml", "logging.properties"}) {
            Files.copy(SHIPPED_CONF.resolve(file), home.resolve("conf").resolve(file));
        }
    }

    @Test
    void listsLogLevelsAndTyposFromTheEnvironment() throws Exception {
        TestPlugins.journalListener(home.resolve("plugins"));
        Path journal = home.resolve("journal.txt");
        try (MainProcess main = MainProcess.start(MainProcess.command(home), home, Map.of(
                "PORT", "0",
                "GATEWAY_LISTENERS_0", "journal",
                "GATEWAY_LISTENER_JOURNAL_PATH", journal.toString(),
                "GATEWAY_HEARTBEAT_INTERVL", "1s",
                "GATEWAY_LOG_LEVEL", "WARNING, io.ssegateway.host.launcher=INFO"))) {
            int port = main.awaitStartedPort();
            main.awaitReady(port);
            try (SseClient client = SseClient.subscribe(port, "env")) {
                assertEquals(200, client.status());
                SseClient.awaitCondition(() -> read(journal).contains("connect env"), Duration.ofSeconds(10),
                        () -> read(journal));
            }
            // "Started in" is logged once start-up returns, which may be after the first request was served.
            SseClient.awaitCondition(() -> main.output().contains("Started in"), Duration.ofSeconds(10), main::output);
            String output = main.output();
            assertTrue(output.contains("set no configuration key") && output.contains("GATEWAY_HEARTBEAT_INTERVL"), output);
            assertTrue(output.contains("Started in"), "launcher kept at INFO:\n" + output);
            assertFalse(output.contains("Using source noop"), "the rest of the gateway at WARNING:\n" + output);
            assertFalse(output.contains("\tat "), output);
            MainProcess.Exit exit = main.stop();
            assertEquals(0, exit.code(), exit.output());
        }
    }

    @Test
    void aLogLevelThatIsNoLevelStopsStartUpNamingTheKey() throws Exception {
        MainProcess.Exit exit = MainProcess.runToExit(home, Map.of("PORT", "0",
                "GATEWAY_LOG_LEVEL", "io.ssegateway=LOUD"));
        assertEquals(2, exit.code(), exit.output());
        assertTrue(exit.output().contains("gateway.log.level: 'LOUD' is not a log level"), exit.output());
    }

    private static String read(Path file) {
        try {
            return Files.exists(file) ? Files.readString(file) : "";
        } catch (java.io.IOException e) {
            return e.toString();
        }
    }
}
