package io.ssegateway.host.core;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.ssegateway.kit.Unicode;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;

/**
 * The SSE encoder, fuzzed: whatever data an event carries, a parser that follows the HTML standard's rules reads back
 * exactly one event with that type, that id and that data (line breaks as the standard normalizes them: CR, LF and
 * CRLF all become LF), so no published text can forge a field, an event or a {@code retry:} for the client.
 */
class FrameFuzzTest {

    /** What the gateway lets into a frame: well-formed text; type and id also free of CR, LF and NUL. */
    @Provide
    Arbitrary<String> data() {
        return Arbitraries.oneOf(
                Arbitraries.strings().all().ofMaxLength(60),
                Arbitraries.strings().withChars("\r\n:data event id retry \u0000\u2028\u00e9\ud83d\ude00").ofMaxLength(60))
                .filter(Unicode::isWellFormed);
    }

    @Provide
    Arbitrary<String> field() {
        return data().filter(text -> !text.isEmpty() && text.chars().noneMatch(c -> c == '\r' || c == '\n' || c == 0));
    }

    @Property(tries = 3000)
    void everyEventReadsBackExactly(@ForAll("field") String type, @ForAll("field") String id, @ForAll("data") String data) {
        byte[] wire = Frame.event(id, type, data).bytes();
        List<String[]> events = parse(new String(wire, StandardCharsets.UTF_8));
        assertEquals(1, events.size());
        assertEquals(type, events.get(0)[0]);
        assertEquals(id, events.get(0)[1]);
        assertEquals(data.replace("\r\n", "\n").replace('\r', '\n'), events.get(0)[2]);
    }

    /**
     * The event-stream interpretation of the HTML standard (§9.2.6), for the fields the gateway writes: lines end at
     * CRLF, CR or LF; a field's value is what follows the colon, less one leading space; a blank line dispatches.
     */
    static List<String[]> parse(String stream) {
        List<String[]> events = new ArrayList<>();
        String type = "";
        String id = null;
        StringBuilder data = null;
        int i = 0;
        while (i < stream.length()) {
            int end = i;
            while (end < stream.length() && stream.charAt(end) != '\r' && stream.charAt(end) != '\n') {
                end++;
            }
            String line = stream.substring(i, end);
            if (end < stream.length() && stream.charAt(end) == '\r' && end + 1 < stream.length()
                    && stream.charAt(end + 1) == '\n') {
                end++;
            }
            i = end + 1;
            if (line.isEmpty()) {
                if (data != null) {
                    events.add(new String[] {type.isEmpty() ? "message" : type, id, data.toString()});
                }
                type = "";
                data = null;
                continue;
            }
            int colon = line.indexOf(':');
            String name = colon < 0 ? line : line.substring(0, colon);
            String value = colon < 0 ? "" : line.substring(colon + 1);
            if (value.startsWith(" ")) {
                value = value.substring(1);
            }
            switch (name) {
                case "event" -> type = value;
                case "id" -> id = value.indexOf('\0') >= 0 ? id : value;
                case "data" -> data = data == null ? new StringBuilder(value) : data.append('\n').append(value);
                default -> { }
            }
        }
        return events;
    }
}
