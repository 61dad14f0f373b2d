package io.ssegateway.plugin.redis;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.ssegateway.host.testkit.GatewayProcess;
import io.ssegateway.host.testkit.RedisServer;
import io.ssegateway.host.testkit.SseClient;
import io.ssegateway.spi.SseEvent;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The case: Redis storage, one channel of 1,000 × 10 KB events, 30 clients that ask for all of it and never
 * read, against a gateway with a 256 MB heap. Read whole, the replays held ~10 MB each and the process died of
 * OutOfMemoryError; paged in bytes, each pins at most a page, and the gateway serves on.
 */
class ReplayMemoryTest {

    private static final Duration WAIT = Duration.ofSeconds(60);
    private static final Pattern USED = Pattern.compile("used (\\d+)K");

    @TempDir
    Path dir;

    /** The live heap of process {@code pid} after a full GC, in KB (jcmd GC.run, then GC.heap_info). */
    private static long liveHeapKb(long pid) throws Exception {
        String jcmd = Path.of(ProcessHandle.current().info().command().orElseThrow()).resolveSibling("jcmd").toString();
        new ProcessBuilder(jcmd, Long.toString(pid), "GC.run").redirectErrorStream(true).start().waitFor();
        Process info = new ProcessBuilder(jcmd, Long.toString(pid), "GC.heap_info").redirectErrorStream(true).start();
        String text = new String(info.getInputStream().readAllBytes());
        info.waitFor();
        long used = 0;
        Matcher matcher = USED.matcher(text);
        while (matcher.find()) {
            used += Long.parseLong(matcher.group(1));
        }
        assertTrue(used > 0, "no heap figures in: " + text);
        return used;
    }

    @Test
    void thirtyClientsThatNeverReadAThousandTenKilobyteEventsPinAPageEachNotTheHistory() throws Exception {
        try (RedisServer redis = RedisServer.start()) {
            RedisStreamStorage storage = RedisFixtures.storage(redis, "max-len", "2000");
            String tenKb = "r".repeat(10 * 1024);
            for (int i = 0; i < 1000; i++) {
                storage.append("history", SseEvent.of("e", i + ":" + tenKb));
            }
            storage.close();
            try (GatewayProcess gateway = GatewayProcess.start(dir, 0, Map.of(
                    "GATEWAY_STORAGE_TYPE", "redis", "GATEWAY_STORAGE_REDIS_URL", redis.url(),
                    "GATEWAY_STORAGE_REDIS_MAX_LEN", "2000", "GATEWAY_SOCKET_SEND_BUFFER", "65536"))) {
                gateway.awaitHealthy(WAIT);
                int port = gateway.port();
                long before = liveHeapKb(gateway.pid());
                List<SseClient> stalled = new ArrayList<>();
                try {
                    for (int i = 0; i < 30; i++) {
                        stalled.add(SseClient.connect(port, "/sse/connect?channel_id=history&last_event_id=earliest",
                                SseClient.options().receiveBuffer(4096).dontRead()));
                    }
                    // every stalled replay has filled its socket and is parked on it (or was dropped as slow)
                    try (SseClient reader = SseClient.connect(port,
                            "/sse/connect?channel_id=history&last_event_id=earliest", SseClient.options())) {
                        List<SseClient.Event> all = reader.awaitMessages(1000, WAIT);
                        assertTrue(all.get(999).data().startsWith("999:"), "the replay of a reading client is whole");
                    }
                    long during = liveHeapKb(gateway.pid());
                    assertTrue(gateway.isAlive(), gateway.output());
                    assertEquals(200, gateway.healthStatus(Duration.ofSeconds(5)));
                    assertTrue(!gateway.output().contains("OutOfMemoryError"), gateway.output());
                    // 30 × (a 256 KiB page + what the socket holds) at most, far from 30 × 10 MB
                    assertTrue(during - before < 40 * 1024, "live heap grew by " + (during - before) + " KB with 30"
                            + " stalled replays (from " + before + " KB)");
                    System.out.println("ReplayMemoryTest: live heap " + before + " KB before, " + during
                            + " KB with 30 stalled replays of 10 MB");
                } finally {
                    stalled.forEach(SseClient::close);
                }
            }
        }
    }
}
