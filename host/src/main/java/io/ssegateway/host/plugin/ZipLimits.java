package io.ssegateway.host.plugin;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;

/**
 * How far a zip plugin may expand: at most {@link #maxBytes} in all, at most {@link #maxRatio} times the zip's size,
 * and at most {@link #maxEntries} entries. Counted as the bytes are written, never from what the zip's headers claim,
 * so a zip bomb is stopped at the limit with little written.
 */
record ZipLimits(long maxBytes, int maxRatio, int maxEntries) {

    /** 512 MiB, 100 times the zip, 10,000 entries: the shipped plugins expand to 60 MB at most, at a ratio near 1. */
    static final ZipLimits DEFAULT = new ZipLimits(512L * 1024 * 1024, 100, 10_000);

    /** The most bytes a zip of {@code zipSize} bytes may expand to. */
    long budget(long zipSize) {
        return Math.min(maxBytes, Math.max(1, zipSize) * maxRatio);
    }

    /** A zip beyond a limit: the message names the limit. */
    static final class Exceeded extends IOException {
        Exceeded(String message) {
            super(message);
        }
    }

    /**
     * Copies one entry to {@code out}, counting against what is {@code left} of the budget.
     *
     * @return the bytes written
     * @throws Exceeded the budget ran out
     */
    static long copy(InputStream in, Path out, long left, String why) throws IOException {
        long written = 0;
        byte[] buffer = new byte[64 * 1024];
        try (OutputStream file = Files.newOutputStream(out, StandardOpenOption.CREATE, StandardOpenOption.TRUNCATE_EXISTING,
                StandardOpenOption.WRITE)) {
            for (int n = in.read(buffer); n >= 0; n = in.read(buffer)) {
                if (written + n > left) {
                    throw new Exceeded(why);
                }
                file.write(buffer, 0, n);
                written += n;
            }
        }
        return written;
    }
}
