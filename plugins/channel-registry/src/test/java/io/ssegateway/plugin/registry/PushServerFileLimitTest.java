package io.ssegateway.plugin.registry;

import static org.junit.jupiter.api.Assertions.assertTrue;

import io.ssegateway.host.testkit.SseClient;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The push server in a process whose open-files limit is lower than a flood of silent connections: accept runs out
 * of file descriptors ({@code EMFILE}), backs off instead of stopping or spinning, and serves again once the header
 * timeout has freed them.
 */
class PushServerFileLimitTest {

    private static final int OPEN_FILES = 128;

    @Test
    void aFloodBeyondTheOpenFilesLimitIsSurvivedWithoutSpinning(@TempDir Path dir) throws Exception {
        Path log = dir.resolve("push.log");
        // a connection limit above the open-files limit, so that accept really meets EMFILE
        Process process = new ProcessBuilder("bash", "-c", "ulimit -n " + OPEN_FILES + " && exec \"$@\"", "push",
                ProcessHandle.current().info().command().orElse("java"), "-Xmx128m", "-XX:+UseSerialGC",
                "-cp", System.getProperty("java.class.path"), PushServerMain.class.getName(), "1000", "1000")
                .redirectError(log.toFile()).start();
        try {
            BufferedReader out = new BufferedReader(new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8));
            String line = out.readLine();
            assertTrue(line != null && line.startsWith("listening "), "no port: " + line + "\n" + Files.readString(log));
            int port = Integer.parseInt(line.substring(10));
            List<Socket> flood = new ArrayList<>();
            try {
                for (int i = 0; i < OPEN_FILES + 200; i++) {
                    Socket socket = new Socket();
                    socket.connect(new InetSocketAddress("127.0.0.1", port), 5_000);
                    flood.add(socket);
                }
                double cpuBefore = cpuSeconds(process.pid());
                Thread.sleep(3_000);
                double cpu = cpuSeconds(process.pid()) - cpuBefore;
                // a listener spinning on EMFILE burns a whole core: 3 s of CPU in 3 s
                assertTrue(cpu < 1.0, "the push server used " + cpu + " s of CPU in 3 s while out of file descriptors");
                // while the flood still holds its sockets, the header timeout frees the server's side: it serves again
                SseClient.awaitCondition(() -> get(port) == 200, Duration.ofSeconds(60),
                        () -> "no answer during the flood; log:\n" + read(log));
            } finally {
                for (Socket socket : flood) {
                    socket.close();
                }
            }
            SseClient.awaitCondition(() -> get(port) == 200, Duration.ofSeconds(30),
                    () -> "no answer after the flood; log:\n" + read(log));
            assertTrue(process.isAlive());
            assertTrue(read(log).contains("accepting a connection failed (Too many open files); retrying in"), read(log));
        } finally {
            process.destroyForcibly();
            process.waitFor(10, TimeUnit.SECONDS);
        }
    }

    private static int get(int port) {
        try (Socket socket = new Socket()) {
            socket.connect(new InetSocketAddress("127.0.0.1", port), 3_000);
            socket.setSoTimeout(3_000);
            socket.getOutputStream().write("GET / HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n"
                    .getBytes(StandardCharsets.US_ASCII));
            String status = new String(socket.getInputStream().readNBytes(12), StandardCharsets.US_ASCII);
            return status.startsWith("HTTP/1.1 ") ? Integer.parseInt(status.substring(9)) : -1;
        } catch (IOException | NumberFormatException e) {
            return -1;
        }
    }

    /** User + system CPU seconds of a process, from /proc. */
    private static double cpuSeconds(long pid) throws IOException {
        String stat = Files.readString(Path.of("/proc/" + pid + "/stat"));
        String[] fields = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
        return (Long.parseLong(fields[11]) + Long.parseLong(fields[12])) / 100.0;
    }

    private static String read(Path log) {
        try {
            return Files.readString(log);
        } catch (IOException e) {
            return "(no log: " + e + ")";
        }
    }
}
