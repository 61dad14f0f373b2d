package io.ssegateway.spi;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.ssegateway.spi.storage.MessageStorage;
import io.ssegateway.spi.storage.Replay;
import org.junit.jupiter.api.Test;

class StreamIdOrderTest {

    private final MessageStorage storage = new MessageStorage() {
        public String append(String channelId, SseEvent event) {
            return null;
        }

        public Replay messagesAfter(String channelId, String lastEventId) {
            return null;
        }

        public boolean isAvailable() {
            return true;
        }

        public String name() {
            return "ids";
        }
    };

    @Test
    void numericPairsCompareByNumberNotByText() {
        assertTrue(storage.compareIds("9-0", "10-0") < 0);
        assertTrue(storage.compareIds("1700000000000-9", "1700000000000-10") < 0);
        assertTrue(storage.compareIds("1700000000001-0", "1700000000000-99") > 0);
        assertEquals(0, storage.compareIds("5-5", "5-5"));
        assertTrue(storage.compareIds("5", "5-1") < 0);
        assertEquals(0, storage.compareIds("5", "5-0"));
    }

    @Test
    void otherFormatsAreRefused() {
        for (String bad : new String[] {"", "abc", "1-", "-1", "1-2-3", "1.5", "99999999999999999999-0", "1-x"}) {
            assertThrows(IllegalArgumentException.class, () -> storage.compareIds(bad, "1-0"), bad);
        }
    }
}
