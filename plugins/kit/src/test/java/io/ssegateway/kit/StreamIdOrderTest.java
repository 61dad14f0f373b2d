package io.ssegateway.kit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

class StreamIdOrderTest {

    @Test
    void numericPairsCompareByNumberNotByText() {
        assertTrue(StreamIdOrder.compare("9-0", "10-0") < 0);
        assertTrue(StreamIdOrder.compare("1700000000000-9", "1700000000000-10") < 0);
        assertTrue(StreamIdOrder.compare("1700000000001-0", "1700000000000-99") > 0);
        assertEquals(0, StreamIdOrder.compare("5-5", "5-5"));
        assertTrue(StreamIdOrder.compare("5", "5-1") < 0);
        assertEquals(0, StreamIdOrder.compare("5", "5-0"));
    }

    @Test
    void otherFormatsAreRefused() {
        for (String bad : new String[] {"", "abc", "1-", "-1", "1-2-3", "1.5", "99999999999999999999-0", "1-x"}) {
            assertThrows(IllegalArgumentException.class, () -> StreamIdOrder.compare(bad, "1-0"), bad);
        }
    }
}
