package io.ssegateway.plugin.redis;

/** Redis stream ids ({@code <ms>-<seq>}) as clients send them back in {@code Last-Event-ID}. */
final class StreamIds {

    private StreamIds() {
    }

    /**
     * The canonical form of a full stream id ({@code 0001-02} → {@code 1-2}), or {@code null} if {@code id} is not
     * one: not two unsigned 64-bit decimals joined by a dash. The scripts compare canonical ids exactly.
     */
    static String canonical(String id) {
        int dash = id.indexOf('-');
        if (dash <= 0 || dash == id.length() - 1 || id.length() > 41) {
            return null;
        }
        for (int i = 0; i < id.length(); i++) {
            char c = id.charAt(i);
            if (i != dash && (c < '0' || c > '9')) {
                return null;
            }
        }
        try {
            long millis = Long.parseUnsignedLong(id, 0, dash, 10);
            long sequence = Long.parseUnsignedLong(id, dash + 1, id.length(), 10);
            return Long.toUnsignedString(millis) + "-" + Long.toUnsignedString(sequence);
        } catch (NumberFormatException tooLarge) {
            return null;
        }
    }
}
