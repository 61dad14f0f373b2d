package io.ssegateway.bench;

import static io.ssegateway.bench.ResultFields.field;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.ssegateway.host.Gateway;
import io.ssegateway.host.testkit.TestGateways;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The scenarios through URL and body templates, against a real gateway addressed as if it were another server: its
 * API spelled out as templates, the admin token as a {@code --publish-header}, the data as a JSON string
 * ({@code {data-json}}, which the gateway sends as its text).
 */
class TemplatesTest {

    private static final String TOKEN = "templates-test-token";
    private static Gateway gateway;

    @BeforeAll
    static void start() {
        gateway = TestGateways.builder().adminToken(TOKEN).build().start();
    }

    @AfterAll
    static void stop() {
        gateway.stop();
    }

    /** The scenario through templates, with the given publish headers. */
    private static String run(List<String> headers, String... args) throws Exception {
        String base = "http://127.0.0.1:" + gateway.port();
        List<String> all = new ArrayList<>(List.of(args));
        all.addAll(List.of("--subscribe-url", base + "/sse/connect?channel_id={channel}",
                "--publish-url", base + "/api/send",
                "--publish-body", "{\"channel_id\":\"{channel}\",\"event_type\":\"bench\",\"data\":\"{data-json}\"}",
                "--server-pid", Long.toString(ProcessHandle.current().pid()), "--in-process"));
        for (String header : headers) {
            all.addAll(List.of("--publish-header", header));
        }
        return Main.run(all.toArray(String[]::new));
    }

    @Test
    void fanoutThroughTemplatesDeliversEveryMessageToEverySubscriberInOrder() throws Exception {
        String result = run(List.of("Authorization: Bearer " + TOKEN), "fanout", "--connections", "40", "--messages", "25");
        assertEquals("true", field(result, "complete"), result);
        assertEquals("1000", field(result, "received"));
        assertEquals("0", field(result, "lost"));
        assertEquals("0", field(result, "duplicated"));
        assertEquals("0", field(result, "out_of_order"));
        assertTrue(field(result, "subscribe_url").contains("/sse/connect?channel_id={channel}"), result);
    }

    @Test
    void targetedThroughTemplatesReachesEveryChannel() throws Exception {
        String result = run(List.of("Authorization: Bearer " + TOKEN), "targeted", "--connections", "30", "--rounds", "3",
                "--publishers", "3");
        assertEquals("true", field(result, "complete"), result);
        assertEquals("90", field(result, "received"));
        assertEquals("0", field(result, "lost"));
    }

    @Test
    void idleThroughTemplatesCountsTheClientsConnectionsOnly() throws Exception {
        String result = run(List.of(), "idle", "--connections", "20", "--settle", "0");
        assertEquals("20", field(result, "open"), result);
        // a peer has no /api/stats to ask
        assertFalse(result.contains("server_connections_added"), result);
    }

    @Test
    void aPublishTheServerRefusesFailsTheRun() {
        // without the admin token the gateway answers 401: no run may count that as published
        Exception refused = assertThrows(Exception.class,
                () -> run(List.of(), "fanout", "--connections", "5", "--messages", "2", "--stall", "2"));
        assertTrue(String.valueOf(refused.getMessage()).contains("answered 40"), refused.toString());
    }

    @Test
    void scenariosThatNeedTheGatewaysOwnApiAreRefused() {
        IllegalArgumentException refused = assertThrows(IllegalArgumentException.class,
                () -> run(List.of(), "replay", "--connections", "5"));
        assertTrue(refused.getMessage().contains("own API"), refused.getMessage());
    }
}
