package io.ssegateway.redis;

import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import org.junit.jupiter.api.Test;

class BackoffTest {

    @Test
    void waitsDoubleWithJitterUpToTheCapAndStartOverAfterReset() {
        for (int run = 0; run < 200; run++) {
            Backoff backoff = new Backoff(Duration.ofMillis(1000));
            long step = 100;
            for (int attempt = 0; attempt < 10; attempt++) {
                long wait = backoff.next().toMillis();
                assertTrue(wait >= step / 2 && wait <= step, "attempt " + attempt + ": " + wait + " ms for a step of " + step);
                step = Math.min(1000, step * 2);
            }
            backoff.reset();
            long first = backoff.next().toMillis();
            assertTrue(first >= 50 && first <= 100, "after reset: " + first);
        }
    }

    @Test
    void aCapBelowTheFirstStepIsTheFirstStep() {
        Backoff backoff = new Backoff(Duration.ofMillis(10));
        for (int i = 0; i < 50; i++) {
            long wait = backoff.next().toMillis();
            assertTrue(wait >= 50 && wait <= 100, wait + " ms");
        }
    }
}
