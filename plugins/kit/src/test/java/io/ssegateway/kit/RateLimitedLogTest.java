package io.ssegateway.kit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;

import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.locks.LockSupport;
import java.util.logging.Level;
import java.util.logging.LogRecord;
import java.util.logging.Logger;
import org.junit.jupiter.api.Test;

class RateLimitedLogTest {

    /** Collects what {@code logger} logs (and keeps it out of the test output). */
    private static List<LogRecord> capture(Logger logger) {
        List<LogRecord> records = new CopyOnWriteArrayList<>();
        logger.setFilter(record -> {
            records.add(record);
            return false;
        });
        return records;
    }

    @Test
    void oneLinePerIntervalThenTheCountOfWhatWasSuppressed() throws Exception {
        Logger logger = Logger.getLogger("kit-test-interval");
        List<LogRecord> records = capture(logger);
        RateLimitedLog log = new RateLimitedLog(logger, Duration.ofMillis(200));
        RuntimeException cause = new RuntimeException("boom");
        log.warn("first", cause);
        for (int i = 0; i < 50; i++) {
            log.warn("flood " + i);
        }
        assertEquals(1, records.size(), "within the interval only the first line is logged");
        assertEquals(Level.WARNING, records.get(0).getLevel());
        assertSame(cause, records.get(0).getThrown());

        long deadline = System.nanoTime() + Duration.ofSeconds(10).toNanos();
        int afterwards = 0;
        while (records.size() < 2 && System.nanoTime() < deadline) {
            log.warn("after the interval");
            afterwards++;
            LockSupport.parkNanos(1_000_000);
        }
        assertEquals(2, records.size(), "a line is logged again once the interval is over");
        // the flood, and the calls of the loop before the interval was over, are counted
        assertEquals("after the interval (" + (50 + afterwards - 1) + " similar messages suppressed)",
                records.get(1).getMessage());
    }
}
