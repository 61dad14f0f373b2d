package io.ssegateway.bench;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

class HistogramTest {

    @Test
    void percentilesAreWithinTheBucketResolution() {
        Histogram histogram = new Histogram();
        for (long v = 1; v <= 1_000_000; v++) {
            histogram.record(v);
        }
        assertEquals(1_000_000, histogram.count());
        assertEquals(1_000_000, histogram.max());
        assertWithin(500_000, histogram.percentile(0.50));
        assertWithin(990_000, histogram.percentile(0.99));
        assertEquals(1_000_000, histogram.percentile(1.0));
        Histogram single = new Histogram();
        single.record(10);
        assertEquals(10, single.percentile(0.5));
    }

    @Test
    void encodedHistogramsMergeIntoTheSameDistribution() {
        Histogram a = new Histogram();
        Histogram b = new Histogram();
        for (long v = 0; v < 50_000; v++) {
            a.record(v);
            b.record(v + 50_000);
        }
        Histogram merged = Histogram.decode(a.encode());
        merged.add(Histogram.decode(b.encode()));
        assertEquals(100_000, merged.count());
        assertEquals(99_999, merged.max());
        assertWithin(50_000, merged.percentile(0.5));
    }

    @Test
    void everyValueFallsIntoABucketWhoseUpperBoundIsAtLeastIt() {
        for (long v = 0; v < 1L << 36; v = v * 3 / 2 + 1) {
            long bound = Histogram.upperBound(Histogram.index(v));
            assertTrue(bound >= v && bound <= v + v / 256 + 1, v + " -> " + bound);
        }
    }

    private static void assertWithin(long expected, long actual) {
        assertTrue(Math.abs(actual - expected) <= expected / 250 + 1, "expected ~" + expected + ", got " + actual);
    }
}
