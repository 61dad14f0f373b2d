package io.ssegateway.host.sse;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.time.Duration;
import org.junit.jupiter.api.Test;

class WriterTimerTest {

    @Test
    void theTickIsATenthOfTheShortestIntervalBetweenTenMillisecondsAndOneSecond() {
        assertEquals(Duration.ofSeconds(1), WriterTimer.tick(Duration.ofSeconds(30), Duration.ofSeconds(30)));
        assertEquals(Duration.ofMillis(15), WriterTimer.tick(Duration.ofMillis(150), Duration.ofSeconds(20)));
        assertEquals(Duration.ofMillis(20), WriterTimer.tick(Duration.ofSeconds(30), Duration.ofMillis(200)));
        // heartbeats disabled: the keep-alive interval alone decides
        assertEquals(Duration.ofMillis(10), WriterTimer.tick(Duration.ZERO, Duration.ofMillis(100)));
        assertEquals(Duration.ofMillis(10), WriterTimer.tick(Duration.ZERO, Duration.ofMillis(20)));
    }
}
