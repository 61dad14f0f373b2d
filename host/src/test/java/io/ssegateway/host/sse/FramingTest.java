package io.ssegateway.host.sse;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.ssegateway.host.Gateway;
import io.ssegateway.host.builtin.ChannelSource;
import io.ssegateway.host.channel.Dispatcher;
import io.ssegateway.host.core.Frame;
import io.ssegateway.host.testkit.Gateways;
import io.ssegateway.host.testkit.Http;
import io.ssegateway.host.testkit.LogCapture;
import io.ssegateway.host.testkit.SseClient;
import io.ssegateway.host.testkit.TestGateways;
import io.ssegateway.spi.source.IncomingMessage;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

class FramingTest {

    private static final Duration WAIT = Duration.ofSeconds(10);
    @RegisterExtension
    final Gateways gateways = new Gateways();
    private Gateway gateway;


    @Test
    void frameEncodingSplitsEveryKindOfLineEnd() {
        Frame frame = Frame.event("7-0", "note", "a\nb\rc\r\nd");
        assertArrayEquals("id: 7-0\nevent: note\ndata: a\ndata: b\ndata: c\ndata: d\n\n".getBytes(StandardCharsets.UTF_8),
                frame.bytes());
        assertArrayEquals("event: e\ndata: \n\n".getBytes(StandardCharsets.UTF_8), Frame.event(null, "e", "").bytes());
        assertArrayEquals("event: e\ndata: x\ndata: \n\n".getBytes(StandardCharsets.UTF_8),
                Frame.event(null, "e", "x\n").bytes());
    }

    @Test
    void multiLineDataArrivesWithItsLinesWhateverTheLineEnds() throws Exception {
        gateway = gateways.start();
        try (SseClient client = SseClient.subscribe(gateway.port(), "lines")) {
            Http.publish(gateway.port(), "lines", "text", "first\nsecond\rthird\r\nfourth");
            assertEquals("first\nsecond\nthird\nfourth", client.awaitMessages(1, WAIT).get(0).data());
        }
    }

    @Test
    void unicodeAndEmptyDataRoundTrip() throws Exception {
        gateway = gateways.start();
        try (SseClient client = SseClient.subscribe(gateway.port(), "ünï-🌍")) {
            Http.publish(gateway.port(), "ünï-🌍", "text", "héllo 🌍 日本語");
            Http.publish(gateway.port(), "ünï-🌍", "text", "");
            List<SseClient.Event> events = client.awaitMessages(2, WAIT);
            assertEquals("héllo 🌍 日本語", events.get(0).data());
            assertEquals("", events.get(1).data());
        }
    }

    @Test
    void jsonDataIsSentCompactAndStringDataAsItsText() throws Exception {
        gateway = gateways.start();
        try (SseClient client = SseClient.subscribe(gateway.port(), "json")) {
            assertEquals(200, Http.postJson(gateway.port(), "/api/send",
                    "{\"channel_id\":\"json\",\"event_type\":\"obj\",\"data\":{ \"a\" : [1, 2],\n \"b\": null }}").status());
            Http.publish(gateway.port(), "json", "str", "{\"looks\":\"like json\"}");
            List<SseClient.Event> events = client.awaitMessages(2, WAIT);
            assertEquals("{\"a\":[1,2],\"b\":null}", events.get(0).data());
            assertEquals("{\"looks\":\"like json\"}", events.get(1).data());
        }
    }

    @Test
    void controlCharactersInEventTypeOrIdAreRejectedAtSend() {
        gateway = gateways.start();
        int port = gateway.port();
        for (String body : List.of(
                "{\"channel_id\":\"c\",\"event_type\":\"bad\\ntype\",\"data\":\"x\"}",
                "{\"channel_id\":\"c\",\"event_type\":\"bad\\rtype\",\"data\":\"x\"}",
                "{\"channel_id\":\"c\",\"event_type\":\"bad\\u0000type\",\"data\":\"x\"}",
                "{\"channel_id\":\"c\",\"event_type\":\"ok\",\"data\":\"x\",\"id\":\"bad\\nid\"}",
                "{\"channel_id\":\"c\",\"event_type\":\"ok\",\"data\":\"x\",\"id\":\"bad\\u0000id\"}")) {
            Http.Response response = Http.postJson(port, "/api/send", body);
            assertEquals(400, response.status(), body);
            assertTrue(response.json().get("error").asText().contains("CR, LF or NUL"), response.body());
        }
        assertEquals(5, gateway.metrics().messagesRejected().get("control_characters"));
    }

    @Test
    void aBadMessageFromASourceIsDroppedLoggedAndCountedWhileConnectionsKeepWorking() throws Exception {
        ChannelSource source = new ChannelSource();
        gateway = gateways.start(TestGateways.builder().source(source));
        try (LogCapture log = LogCapture.of(Dispatcher.class);
             SseClient a = SseClient.subscribe(gateway.port(), "a");
             SseClient b = SseClient.subscribe(gateway.port(), "b")) {
            source.sender().send(IncomingMessage.toChannel("a", "evil\r\nevent: injected", "x"));
            source.sender().send(IncomingMessage.toChannel("a", "fine", "after"));
            source.sender().send(IncomingMessage.toChannel("b", "fine", "for b"));
            assertEquals("after", a.awaitMessages(1, WAIT).get(0).data());
            assertEquals("for b", b.awaitMessages(1, WAIT).get(0).data());
            assertEquals(1, a.messages().size(), "the bad message must not reach the client: " + a.messages());
            assertEquals(1, gateway.metrics().messagesRejected().get("control_characters"));
            assertTrue(log.contains("Dropped an invalid message"), "log: " + log.messages());
            assertEquals(2, gateway.connections().connectionCount());
        }
    }

    @Test
    void oversizedDataIsRefusedWith413() {
        gateway = gateways.start(TestGateways.builder().maxMessageBytes(1000));
        Http.Response response = Http.sendText(gateway.port(), "c", "big", "é".repeat(501));
        assertEquals(413, response.status(), response.body());
        assertEquals(200, Http.sendText(gateway.port(), "c", "ok", "é".repeat(500)).status());
    }
}
