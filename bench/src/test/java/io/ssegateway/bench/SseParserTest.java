package io.ssegateway.bench;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class SseParserTest {

    private record Event(String type, String data, String lastId) {
    }

    private final List<Event> events = new ArrayList<>();
    private final SseParser parser = new SseParser(e -> events.add(new Event(e.eventType(), e.dataText(), e.lastEventId())));

    private void feed(String text) {
        byte[] bytes = text.getBytes(StandardCharsets.UTF_8);
        parser.feed(bytes, 0, bytes.length);
    }

    /** Feeds one byte at a time: every split point, including between a CR and its LF. */
    private void feedBytewise(String text) {
        byte[] bytes = text.getBytes(StandardCharsets.UTF_8);
        for (int i = 0; i < bytes.length; i++) {
            parser.feed(bytes, i, 1);
        }
    }

    @Test
    void crLfAndCrlfAllEndLinesAndMultiLineDataIsJoinedWithLf() {
        feed("id: 1\r\nevent: note\rdata: a\ndata: b\r\ndata:c\r\r\n");
        assertEquals(List.of(new Event("note", "a\nb\nc", "1")), events);
    }

    @Test
    void aStreamSplitAtEveryByteParsesTheSame() {
        String stream = "retry: 3000\n\nid: 7-0\r\nevent: x\r\ndata: {\"s\":1}\r\n\r\n: keep-alive\r\n\r\ndata: plain\r\rdata: é\n\n";
        feedBytewise(stream);
        assertEquals(List.of(new Event("x", "{\"s\":1}", "7-0"), new Event("message", "plain", "7-0"),
                new Event("message", "é", "7-0")), events);
        assertEquals(3000, parser.retry());
        assertEquals(1, parser.comments());
    }

    @Test
    void anEventWithoutDataIsNotDispatchedAndItsTypeDoesNotLeakIntoTheNext() {
        feed("event: lonely\n\ndata: next\n\n");
        assertEquals(List.of(new Event("message", "next", null)), events);
    }

    @Test
    void onlyOneLeadingSpaceIsStrippedAndAFieldWithoutColonHasAnEmptyValue() {
        feed("data:  two spaces\ndata\n\n");
        assertEquals(List.of(new Event("message", " two spaces\n", null)), events);
    }

    @Test
    void anIdWithNulIsIgnoredAndTheLastIdSurvivesEventsWithoutOne() {
        feed("id: 5\ndata: a\n\nid: bad\0id\ndata: b\n\n");
        assertEquals("5", events.get(1).lastId());
        assertNull(new SseParser(e -> { }).lastEventId());
    }

    @Test
    void resetDropsAHalfReceivedEventButKeepsTheLastId() {
        feed("id: 9\ndata: done\n\ndata: half");
        parser.reset();
        feed("data: fresh\n\n");
        assertEquals(List.of(new Event("message", "done", "9"), new Event("message", "fresh", "9")), events);
    }
}
