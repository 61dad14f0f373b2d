package io.ssegateway.kit;

import java.util.Random;

/** Random strings for property-style tests: ASCII, controls, multi-byte, supplementary, lone surrogates, escapes. */
final class OddStrings {

    /** Fixed, so that a failure reproduces; the seed is in every assertion message. */
    static final long SEED = 0x55E_6A7E_3AL;

    private static final String[] PIECES = {
        "a", "Z", "0", "-", "_", "/", " ", "+", "%", "=", "&", "?", "#", ":", "\"", "\\", "{", "}", "[", "]",
        "\u0000", "\t", "\n", "\r", "\u001f", "\u007f", "\u0085", "\u009f",
        "é", "ü", "€", "中", "\u2028", "\ufeff", "\uffff",
        "😀", "𝄞",
        "\ud800", "\udfff", "\udbff", "\udc00",
    };

    private final Random random;

    OddStrings(long seed) {
        this.random = new Random(seed);
    }

    /** A string of up to {@code maxPieces} pieces. */
    String next(int maxPieces) {
        StringBuilder text = new StringBuilder();
        int pieces = random.nextInt(maxPieces + 1);
        for (int i = 0; i < pieces; i++) {
            text.append(PIECES[random.nextInt(PIECES.length)]);
        }
        return text.toString();
    }

    /** {@code count} random bytes. */
    byte[] bytes(int count) {
        byte[] bytes = new byte[count];
        random.nextBytes(bytes);
        return bytes;
    }

    int nextInt(int bound) {
        return random.nextInt(bound);
    }
}
