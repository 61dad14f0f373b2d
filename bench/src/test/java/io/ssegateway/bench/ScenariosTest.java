package io.ssegateway.bench;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.ssegateway.host.Gateway;
import io.ssegateway.host.testkit.TestGateways;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
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

    private static String field(String json, String key) {
        Matcher m = Pattern.compile("\"" + key + "\":(\"[^\"]*\"|[-\\d.]+|true|false)").matcher(json);
        assertTrue(m.find(), key + " missing in " + json);
        return m.group(1);
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
}
