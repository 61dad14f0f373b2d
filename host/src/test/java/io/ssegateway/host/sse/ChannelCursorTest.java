package io.ssegateway.host.sse;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.ssegateway.host.builtin.MemoryStorage;
import io.ssegateway.spi.storage.MessageStorage;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class ChannelCursorTest {

    private final MessageStorage storage = new MemoryStorage();

    @Test
    void aCursorRoundTripsEveryKindOfPosition() {
        ChannelCursor cursor = new ChannelCursor(List.of("user-1", "room", "job", "plugin"));
        assertEquals(List.of("job", "plugin", "room", "user-1"), cursor.channels());
        cursor.start(cursor.indexOf("room"), "1764215400123-0");
        cursor.start(cursor.indexOf("user-1"), "1764215300000-17");
        cursor.start(cursor.indexOf("plugin"), "opaque/id:é");
        String id = cursor.encode();
        assertTrue(id.matches("m1\\.[0-9a-z]+\\.[0-9a-z]+\\.[0-9a-zA-Z_~,-]*"), id);

        ChannelCursor resumed = new ChannelCursor(List.of("room", "job", "user-1", "plugin"));
        assertTrue(resumed.resumeFrom(id));
        assertEquals(MessageStorage.EARLIEST, resumed.position(resumed.indexOf("job")));
        assertEquals("1764215400123-0", resumed.position(resumed.indexOf("room")));
        assertEquals("1764215300000-17", resumed.position(resumed.indexOf("user-1")));
        assertEquals("opaque/id:é", resumed.position(resumed.indexOf("plugin")));
        assertEquals(id, resumed.encode());
    }

    @Test
    void itIsShortForIdsOfTheSameDay() {
        List<String> channels = new ArrayList<>();
        for (int i = 0; i < 32; i++) {
            channels.add("channel-" + i);
        }
        ChannelCursor cursor = new ChannelCursor(channels);
        for (int i = 0; i < 32; i++) {
            cursor.start(i, (1764215400123L - i * 2_000_000L) + "-0");
        }
        String sameDay = cursor.encode();
        assertTrue(sameDay.length() <= 30 + 32 * 6, sameDay.length() + ": " + sameDay);
        for (int i = 0; i < 32; i++) {
            cursor.start(i, (i * 1_000_000_000_000L / 32) + "-" + Long.MAX_VALUE);
        }
        String worst = cursor.encode();
        assertTrue(worst.length() <= 30 + 32 * 23, worst.length() + ": " + worst);
    }

    @Test
    void aForeignOrMalformedIdIsEveryChannelsPosition() {
        ChannelCursor ab = new ChannelCursor(List.of("a", "b"));
        ab.start(0, "5-0");
        String abId = ab.encode();
        ChannelCursor ac = new ChannelCursor(List.of("a", "c"));
        for (String foreign : List.of(abId, "7-0", "m1.x.y.z", "m1." + abId.substring(3) + ",", "")) {
            assertFalse(ac.resumeFrom(foreign), foreign);
            assertEquals(foreign, ac.position(0));
            assertEquals(foreign, ac.position(1));
        }
    }

    @Test
    void positionsMoveForwardOnlyAndRepeatsAreRecognised() {
        ChannelCursor cursor = new ChannelCursor(List.of("a", "b"));
        cursor.start(0, "10-0");
        cursor.floor(0, "10-0");
        assertTrue(cursor.clientHas(0, "9-5", storage));
        assertFalse(cursor.clientHas(1, "9-5", storage), "floors are per channel");
        cursor.delivered(0, "12-0", storage);
        cursor.delivered(0, "11-0", storage);
        assertEquals("12-0", cursor.position(0));
        assertTrue(cursor.clientHas(0, "11-0", storage));
        assertFalse(cursor.clientHas(1, "11-0", storage), "recent ids are per channel");
    }

    @Test
    void anOverlongCursorIsNotWritten() {
        List<String> channels = new ArrayList<>();
        for (int i = 0; i < 32; i++) {
            channels.add("c" + i);
        }
        ChannelCursor cursor = new ChannelCursor(channels);
        for (int i = 0; i < 32; i++) {
            cursor.start(i, "x".repeat(256));
        }
        assertNull(cursor.encode());
    }
}
