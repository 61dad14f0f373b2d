package io.ssegateway.bench;

import java.util.Locale;

/**
 * A log-linear histogram of non-negative values (microseconds here): exact below 1024, then 512 buckets per power
 * of two (0.2 % resolution) up to 2^40. Fixed memory, constant-time recording, mergeable across processes through
 * {@link #encode()} / {@link #decode}.
 */
final class Histogram {

    private static final int LINEAR = 1024;
    private static final int SUB_BUCKETS = 512;
    private static final int MAX_EXPONENT = 40;
    private final long[] counts = new long[LINEAR + (MAX_EXPONENT - 10 + 1) * SUB_BUCKETS];
    private long total;
    private long max;

    void record(long value) {
        if (value < 0) {
            value = 0;
        }
        counts[index(value)]++;
        total++;
        if (value > max) {
            max = value;
        }
    }

    void add(Histogram other) {
        for (int i = 0; i < counts.length; i++) {
            counts[i] += other.counts[i];
        }
        total += other.total;
        max = Math.max(max, other.max);
    }

    void clear() {
        java.util.Arrays.fill(counts, 0);
        total = 0;
        max = 0;
    }

    long count() {
        return total;
    }

    long max() {
        return max;
    }

    /** The value at {@code quantile} (0..1), as the upper bound of its bucket (exact max for 1.0); 0 when empty. */
    long percentile(double quantile) {
        if (total == 0) {
            return 0;
        }
        long rank = Math.max(1, (long) Math.ceil(quantile * total));
        long seen = 0;
        for (int i = 0; i < counts.length; i++) {
            seen += counts[i];
            if (seen >= rank) {
                return Math.min(max, upperBound(i));
            }
        }
        return max;
    }

    /** {@code max;index:count,index:count…} of the non-empty buckets. */
    String encode() {
        StringBuilder out = new StringBuilder().append(max).append(';');
        for (int i = 0; i < counts.length; i++) {
            if (counts[i] != 0) {
                out.append(i).append(':').append(counts[i]).append(',');
            }
        }
        return out.toString();
    }

    static Histogram decode(String encoded) {
        Histogram histogram = new Histogram();
        int semicolon = encoded.indexOf(';');
        histogram.max = Long.parseLong(encoded.substring(0, semicolon));
        for (String pair : encoded.substring(semicolon + 1).split(",")) {
            if (pair.isEmpty()) {
                continue;
            }
            int colon = pair.indexOf(':');
            long count = Long.parseLong(pair.substring(colon + 1));
            histogram.counts[Integer.parseInt(pair.substring(0, colon))] += count;
            histogram.total += count;
        }
        return histogram;
    }

    /** {@code {"p50":…,"p99":…,"max":…}} in milliseconds of microsecond values. */
    String toJsonMillis() {
        return String.format(Locale.ROOT, "{\"p50\":%.3f,\"p90\":%.3f,\"p99\":%.3f,\"max\":%.3f,\"count\":%d}",
                percentile(0.50) / 1000.0, percentile(0.90) / 1000.0, percentile(0.99) / 1000.0, max / 1000.0, total);
    }

    static int index(long value) {
        if (value < LINEAR) {
            return (int) value;
        }
        int exponent = 63 - Long.numberOfLeadingZeros(value); // >= 10
        if (exponent > MAX_EXPONENT) {
            return LINEAR + (MAX_EXPONENT - 10 + 1) * SUB_BUCKETS - 1;
        }
        int shift = exponent - 9;
        int sub = (int) (value >>> shift) - SUB_BUCKETS; // 0..511
        return LINEAR + (exponent - 10) * SUB_BUCKETS + sub;
    }

    static long upperBound(int index) {
        if (index < LINEAR) {
            return index;
        }
        int exponent = (index - LINEAR) / SUB_BUCKETS + 10;
        int sub = (index - LINEAR) % SUB_BUCKETS;
        int shift = exponent - 9;
        return (((long) SUB_BUCKETS + sub + 1) << shift) - 1;
    }
}
