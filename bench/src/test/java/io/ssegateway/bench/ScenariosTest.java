package io.ssegateway.bench;

import static io.ssegateway.bench.ResultFields.field;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.ssegateway.host.Gateway;
import io.ssegateway.host.testkit.TestGateways;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** Every scenario, small, against a real gateway over real sockets; the result lines must say nothing was lost. */
class ScenariosTest {

    private static Gateway gateway;

    @BeforeAll
    static void start() {
        // a small queue and send buffer: the paused subscribers of the slow scenario overflow within seconds
        gateway = TestGateways.builder().connectionQueue(64).socketSendBuffer(16 * 1024).build().start();
    }

    @AfterAll
    static void stop() {
        gateway.stop();
    }

    private static String run(String... args) throws Exception {
        String[] all = new String[args.length + 5];
        System.arraycopy(args, 0, all, 0, args.length);
        all[args.length] = "--port";
        all[args.length + 1] = Integer.toString(gateway.port());
        all[args.length + 2] = "--server-pid";
        all[args.length + 3] = Long.toString(ProcessHandle.current().pid());
        all[args.length + 4] = "--in-process";
        return Main.run(all);
    }

    @Test
    void fanoutDeliversEveryMessageToEverySubscriberInOrder() throws Exception {
        String result = run("fanout", "--connections", "60", "--messages", "30");
        assertEquals("true", field(result, "complete"), result);
        assertEquals("1800", field(result, "received"));
        assertEquals("0", field(result, "lost"));
        assertEquals("0", field(result, "duplicated"));
        assertEquals("0", field(result, "out_of_order"));
        assertTrue(Double.parseDouble(field(result, "deliveries_per_s")) > 0);
    }

    @Test
    void targetedPublishesOneMessagePerChannelPerRound() throws Exception {
        String result = run("targeted", "--connections", "40", "--rounds", "5", "--publishers", "4");
        assertEquals("true", field(result, "complete"), result);
        assertEquals("200", field(result, "received"));
        assertEquals("0", field(result, "lost"));
        assertTrue(Double.parseDouble(field(result, "publishes_per_s")) > 0);
    }

    @Test
    void replayAfterReconnectingIsExact() throws Exception {
        String result = run("replay", "--connections", "20", "--messages", "15", "--publishers", "4");
        assertEquals("true", field(result, "exact"), result);
        assertEquals("900", field(result, "received"));
        assertEquals("0", field(result, "gap_events"));
    }

    @Test
    void pausedSubscribersAreDroppedWhileTheOthersGetEverything() throws Exception {
        String result = run("slow", "--connections", "50", "--rate", "100", "--duration", "2", "--slow-percent", "10",
                "--payload", "1000");
        assertEquals("5", field(result, "paused"), result);
        assertEquals(field(result, "readers_expected"), field(result, "readers_received"));
        assertTrue(Long.parseLong(field(result, "slow_consumers_dropped")) >= 1, result);
    }

    @Test
    void idleCountsTheConnectionsTheServerHolds() throws Exception {
        String result = run("idle", "--connections", "40", "--settle", "0");
        assertEquals("40", field(result, "open"), result);
        assertEquals("40", field(result, "server_connections_added"));
    }

    @Test
    void idleWithQuietReadsTheRssAgainAfterTheQuietWait() throws Exception {
        String result = run("idle", "--connections", "20", "--settle", "0", "--quiet", "1");
        assertEquals("1", field(result, "quiet_s"), result);
        assertTrue(Double.parseDouble(field(result, "server_rss_quiet_mb")) > 0, result);
        assertTrue(Double.isFinite(Double.parseDouble(field(result, "rss_per_connection_quiet_kb"))), result);
    }

    @Test
    void idleWithLiveHeapWarmsUpThenReadsTheServersHeapThroughJcmd() throws Exception {
        String result = run("idle", "--connections", "30", "--settle", "0", "--live-heap", "--warmup", "1");
        assertEquals("30", field(result, "open"), result);
        assertEquals("1", field(result, "warmup_rounds"));
        assertTrue(Double.parseDouble(field(result, "live_heap_before_mb")) > 0, result);
        assertTrue(Double.parseDouble(field(result, "live_heap_after_mb")) > 0, result);
    }

    @Test
    void aStormReconnectsEveryClientAndTheGatewayReleasesEachRound() throws Exception {
        String result = run("storm", "--connections", "60", "--rounds", "2");
        assertEquals("true", field(result, "all_connected"), result);
        assertEquals("200", field(result, "health_status"));
        long worst = Long.parseLong(field(result, "worst_release_ms"));
        assertTrue(worst >= 0 && worst < 5_000, "released in " + worst + " ms: " + result);
    }
}
