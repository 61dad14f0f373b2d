package io.ssegateway.kit;

/**
 * The order of {@code <number>} and {@code <number>-<number>} stream ids (the memory storage's and Redis stream ids,
 * {@code <epoch-ms>-<seq>}): for a storage's {@code MessageStorage.compareIds}.
 */
public final class StreamIdOrder {

    private StreamIdOrder() {
    }

    public static int compare(String a, String b) {
        int dashA = a.indexOf('-');
        int dashB = b.indexOf('-');
        int byFirst = Long.compare(number(a, 0, dashA < 0 ? a.length() : dashA, a),
                number(b, 0, dashB < 0 ? b.length() : dashB, b));
        if (byFirst != 0) {
            return byFirst;
        }
        long secondA = dashA < 0 ? 0 : number(a, dashA + 1, a.length(), a);
        long secondB = dashB < 0 ? 0 : number(b, dashB + 1, b.length(), b);
        return Long.compare(secondA, secondB);
    }

    private static long number(String id, int from, int to, String whole) {
        if (from >= to || to - from > 19) {
            throw new IllegalArgumentException("not a <number>-<number> stream id: " + whole);
        }
        long value = 0;
        for (int i = from; i < to; i++) {
            char c = id.charAt(i);
            if (c < '0' || c > '9') {
                throw new IllegalArgumentException("not a <number>-<number> stream id: " + whole);
            }
            value = value * 10 + (c - '0');
            if (value < 0) {
                throw new IllegalArgumentException("stream id out of range: " + whole);
            }
        }
        return value;
    }
}
