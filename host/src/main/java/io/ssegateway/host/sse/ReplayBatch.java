package io.ssegateway.host.sse;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;

/**
 * Writes a replayed page in few large writes: the response stream is unbuffered (every write is a chunk), so the
 * page's frames are collected in a buffer and written once it holds {@link #BATCH_BYTES}, and at the page's end.
 */
final class ReplayBatch {

    static final int BATCH_BYTES = 32 * 1024;

    private ReplayBatch() {
    }

    /** Writes {@code pending} to {@code out} (and empties it) once it holds a batch; adds its bytes to {@code sent[0]}. */
    static void writeIfFull(ByteArrayOutputStream pending, OutputStream out, long[] sent) throws IOException {
        if (pending.size() >= BATCH_BYTES) {
            sent[0] += pending.size();
            pending.writeTo(out);
            pending.reset();
        }
    }

    /** Writes what is left in {@code pending} and flushes {@code out}; adds the bytes to {@code sent[0]}. */
    static void finish(ByteArrayOutputStream pending, OutputStream out, long[] sent) throws IOException {
        if (pending.size() > 0) {
            sent[0] += pending.size();
            pending.writeTo(out);
        }
        out.flush();
    }
}
