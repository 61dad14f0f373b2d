package io.ssegateway.bench;

/**
 * The data of a benchmark event: {@code {"s":<sequence>,"t":<publish System.nanoTime()>,"p":"<padding>"}}. The
 * publisher and the subscribers run on one machine, where {@code System.nanoTime()} reads the same monotonic clock
 * in every process, so receive time minus {@code t} is the publish-to-receive latency.
 */
final class Payload {

    static final long NONE = Long.MIN_VALUE;

    private Payload() {
    }

    /** The data of the event carrying sequence {@code seq}, sent now. */
    static String data(long seq, String padding) {
        return "{\"s\":" + seq + ",\"t\":" + System.nanoTime() + ",\"p\":\"" + padding + "\"}";
    }

    static String padding(int bytes) {
        return "x".repeat(Math.max(0, bytes));
    }

    /** The number after {@code "key":} in {@code data}, or {@link #NONE}. */
    static long field(byte[] data, int length, char key) {
        for (int i = 0; i + 3 < length; i++) {
            if (data[i] == '"' && data[i + 1] == key && data[i + 2] == '"' && data[i + 3] == ':') {
                int j = i + 4;
                boolean negative = j < length && data[j] == '-';
                if (negative) {
                    j++;
                }
                long value = 0;
                int digits = 0;
                while (j < length && data[j] >= '0' && data[j] <= '9') {
                    value = value * 10 + data[j++] - '0';
                    digits++;
                }
                return digits == 0 ? NONE : negative ? -value : value;
            }
        }
        return NONE;
    }
}
