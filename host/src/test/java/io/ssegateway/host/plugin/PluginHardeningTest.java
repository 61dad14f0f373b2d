package io.ssegateway.host.plugin;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.ssegateway.host.testkit.PluginBuilder;
import io.ssegateway.host.testkit.TestPlugins;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.List;
import java.util.stream.Stream;
import java.util.zip.ZipEntry;
import java.util.zip.ZipOutputStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Broken or hostile files in plugins/ are refused and named; the gateway's temp directories do not pile up. */
class PluginHardeningTest {

    @TempDir
    Path home;

    private Path plugins() throws IOException {
        return Files.createDirectories(home.resolve("plugins"));
    }

    @Test
    void aPluginRequiresThatDoesNotParseIsAFailedPluginNamingFileAndExpression() throws Exception {
        TestPlugins.greeterSource(plugins());
        Path garbage = PluginBuilder.jar("garbage").requires(")))garbage(((")
                .source("t.Garbage", "package t; public class Garbage {}").writeTo(plugins());
        Path typo = PluginBuilder.jar("typo").requires("=>0.1.0")
                .source("t.Typo", "package t; public class Typo {}").writeTo(plugins());
        FactoryCatalog catalog = FactoryCatalog.builtIns();
        try (PluginHost host = PluginHost.load(plugins(), catalog)) {
            List<PluginHost.Failure> failures = host.failures();
            assertEquals(2, failures.size(), failures.toString());
            for (String[] expected : new String[][] {{garbage.getFileName().toString(), ")))garbage((("},
                    {typo.getFileName().toString(), "=>0.1.0"}}) {
                assertTrue(failures.stream().anyMatch(f -> f.file().getFileName().toString().equals(expected[0])
                        && f.reason().contains("'" + expected[1] + "'") && f.reason().contains("not a version expression")),
                        failures.toString());
            }
            assertTrue(host.states().stream().anyMatch(s -> s.id().equals("garbage") && s.state().equals("FAILED")),
                    host.states().toString());
            // the good plugin next to them is loaded
            assertTrue(catalog.source("greeter") != null);
        }
    }

    /** A zip that holds {@code bytes} zero bytes in one entry (it compresses about a thousandfold). */
    private static Path bomb(Path dir, String name, long bytes) throws IOException {
        Path zip = dir.resolve(name);
        try (ZipOutputStream out = new ZipOutputStream(Files.newOutputStream(zip))) {
            out.putNextEntry(new ZipEntry("plugin.properties"));
            out.write("plugin.id=bomb\nplugin.version=1.0.0\nplugin.requires=0.2.0\n".getBytes());
            out.putNextEntry(new ZipEntry("lib/zeros.jar"));
            byte[] zeros = new byte[1 << 20];
            for (long written = 0; written < bytes; written += zeros.length) {
                out.write(zeros);
            }
            out.closeEntry();
        }
        return zip;
    }

    @Test
    void aZipBombIsRefusedNamedAndNotLeftInTheWorkDirectory() throws Exception {
        TestPlugins.greeterSource(plugins());
        Path zip = bomb(plugins(), "bomb.zip", 300L << 20);
        assertTrue(Files.size(zip) < 400_000, "a " + Files.size(zip) + "-byte zip");
        FactoryCatalog catalog = FactoryCatalog.builtIns();
        try (PluginHost host = PluginHost.load(plugins(), catalog)) {
            PluginHost.Failure failure = host.failures().stream().filter(f -> f.file().equals(zip)).findFirst()
                    .orElseThrow(() -> new AssertionError(host.failures().toString()));
            assertTrue(failure.reason().contains("refused") && failure.reason().contains("zip bomb"), failure.reason());
            assertTrue(catalog.source("greeter") != null);
        }
    }

    @Test
    void expansionStopsAtTheLimitAndDeletesWhatItWrote() throws Exception {
        Path zip = bomb(home, "big.zip", 20L << 20);
        Path work = Files.createDirectories(home.resolve("work"));
        ZipLimits.Exceeded byBytes = assertThrows(ZipLimits.Exceeded.class,
                () -> PluginHost.expand(zip, work, new ZipLimits(4L << 20, 10_000, 100)));
        assertTrue(byBytes.getMessage().contains("more than " + (4L << 20) + " bytes"), byBytes.getMessage());
        assertFalse(Files.exists(work.resolve("big")), "what was written is deleted");
        assertThrows(ZipLimits.Exceeded.class, () -> PluginHost.expand(zip, work, new ZipLimits(1L << 30, 10, 100)),
                "by ratio");
        assertThrows(ZipLimits.Exceeded.class, () -> PluginHost.expand(zip, work, new ZipLimits(1L << 30, 10_000, 1)),
                "by entries");
        Path expanded = PluginHost.expand(zip, work, new ZipLimits(1L << 30, 10_000, 100));
        assertEquals(20L << 20, Files.size(expanded.resolve("lib/zeros.jar")));
    }

    private static Path staleDir(Path tmp, String name, boolean withLock) throws IOException {
        Path dir = Files.createDirectories(tmp.resolve(PluginWorkDir.PREFIX + name));
        Files.createDirectories(dir.resolve("some-plugin/lib"));
        Files.writeString(dir.resolve("some-plugin/lib/x.jar"), "x");
        if (withLock) {
            Files.writeString(dir.resolve(PluginWorkDir.LOCK), "");
            Files.writeString(dir.resolve(PluginWorkDir.PID), "999999");
        }
        return dir;
    }

    @Test
    void directoriesOfDeadGatewaysAreRemovedAtStartOthersAreLeftAlone() throws Exception {
        Path tmp = Files.createDirectories(home.resolve("tmp"));
        Path dead = staleDir(tmp, "dead", true);
        Path live = staleDir(tmp, "live", true);
        Path legacy = staleDir(tmp, "legacy", false);
        Path outside = staleDir(home, "outside", true);
        Path link = Files.createSymbolicLink(tmp.resolve(PluginWorkDir.PREFIX + "link"), outside);
        Path unrelated = Files.createDirectories(tmp.resolve("other-dir"));
        try (FileChannel channel = FileChannel.open(live.resolve(PluginWorkDir.LOCK), StandardOpenOption.WRITE);
             FileLock held = channel.lock();
             PluginWorkDir own = PluginWorkDir.create(tmp)) {
            assertFalse(Files.exists(dead), "the dead gateway's directory is still there");
            assertTrue(Files.exists(live.resolve("some-plugin/lib/x.jar")), "a directory in use was removed");
            assertTrue(Files.exists(legacy), "a directory without a lock file was removed");
            assertTrue(Files.isSymbolicLink(link) && Files.exists(outside.resolve("some-plugin/lib/x.jar")),
                    "a link was followed");
            assertTrue(Files.exists(unrelated));
            assertTrue(Files.exists(own.path().resolve(PluginWorkDir.LOCK)));
            assertEquals(Long.toString(ProcessHandle.current().pid()), Files.readString(own.path().resolve(PluginWorkDir.PID)));
            // a second gateway on this machine leaves the first one's directory alone
            try (PluginWorkDir second = PluginWorkDir.create(tmp)) {
                assertTrue(Files.exists(own.path()));
            }
        }
        try (Stream<Path> left = Files.list(tmp)) {
            List<String> names = left.map(p -> p.getFileName().toString()).sorted().toList();
            assertEquals(List.of("other-dir", PluginWorkDir.PREFIX + "legacy", PluginWorkDir.PREFIX + "link",
                    PluginWorkDir.PREFIX + "live"), names, "closing deletes a gateway's own directory");
        }
    }

    /** The case: kill -9 of a gateway with zip plugins, twice; the next start removes what they left. */
    @Test
    void whatKilledGatewaysLeftIsRemovedByTheNextStart() throws Exception {
        TestPlugins.shouterZip(plugins());
        Path tmp = Files.createDirectories(home.resolve("tmp"));
        Files.createDirectories(home.resolve("conf"));
        Files.writeString(home.resolve("conf/application.yaml"), "server:\n  port: 0\n");
        java.util.List<String> command = io.ssegateway.host.testkit.MainProcess.command(home);
        command.add(1, "-Djava.io.tmpdir=" + tmp);
        List<Path> leftByTheKilled = List.of();
        for (int run = 1; run <= 3; run++) {
            try (var main = io.ssegateway.host.testkit.MainProcess.start(command, home, java.util.Map.of())) {
                main.awaitReady(main.awaitStartedPort());
                List<Path> dirs = workDirs(tmp);
                assertEquals(1, dirs.size(), "run " + run + ": " + dirs);
                assertTrue(leftByTheKilled.stream().noneMatch(Files::exists), "left by the killed gateway: "
                        + leftByTheKilled);
                if (run > 1) {
                    assertTrue(main.output().contains("left by a gateway that ended without cleaning up"), main.output());
                }
                if (run == 3) {
                    assertEquals(0, main.stop().code());
                    break;
                }
                ProcessHandle.of(main.pid()).orElseThrow().destroyForcibly();
                io.ssegateway.host.testkit.SseClient.awaitCondition(() -> !main.isAlive(), java.time.Duration.ofSeconds(30),
                        () -> "still alive");
                leftByTheKilled = workDirs(tmp);
                assertEquals(dirs, leftByTheKilled, "kill -9 leaves the directory behind");
            }
        }
        assertEquals(List.of(), workDirs(tmp), "a clean stop removes its own directory");
    }

    private static List<Path> workDirs(Path tmp) throws IOException {
        try (Stream<Path> files = Files.list(tmp)) {
            return files.filter(p -> p.getFileName().toString().startsWith(PluginWorkDir.PREFIX)).toList();
        }
    }
}
