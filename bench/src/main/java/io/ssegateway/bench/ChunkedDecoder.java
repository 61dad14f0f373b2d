package io.ssegateway.bench;

/**
 * Incremental decoder of an HTTP/1.1 {@code Transfer-Encoding: chunked} body: hex size (extensions ignored), CRLF,
 * data, CRLF, …, a zero-size chunk, optional trailers, blank line. Hands the data to a sink as it arrives, without
 * copying; a chunk split across reads is fine.
 */
final class ChunkedDecoder {

    interface Sink {
        void data(byte[] bytes, int offset, int length);
    }

    private enum State { SIZE, EXTENSION, DATA, DATA_END, TRAILER, TRAILER_LINE, DONE }

    private final Sink sink;
    private State state = State.SIZE;
    private long remaining;
    private int sizeDigits;
    private boolean trailerLineEmpty = true;

    ChunkedDecoder(Sink sink) {
        this.sink = sink;
    }

    /** Whether the terminating chunk (and trailers) arrived: the body is complete. */
    boolean done() {
        return state == State.DONE;
    }

    /** Decodes the next bytes. @throws IllegalStateException on malformed framing */
    void feed(byte[] bytes, int offset, int length) {
        int i = offset;
        int end = offset + length;
        while (i < end) {
            byte b = bytes[i];
            switch (state) {
                case SIZE -> {
                    int digit = Character.digit(b, 16);
                    if (digit >= 0) {
                        if (++sizeDigits > 15) {
                            throw new IllegalStateException("chunk size too long");
                        }
                        remaining = remaining * 16 + digit;
                    } else if (b == ';' || b == ' ' || b == '\t') {
                        state = State.EXTENSION;
                    } else if (b == '\r') {
                        // wait for the LF
                    } else if (b == '\n') {
                        endOfSize();
                    } else {
                        throw new IllegalStateException("bad chunk size byte 0x" + Integer.toHexString(b & 0xff));
                    }
                    i++;
                }
                case EXTENSION -> {
                    if (b == '\n') {
                        endOfSize();
                    }
                    i++;
                }
                case DATA -> {
                    int n = (int) Math.min(remaining, end - i);
                    sink.data(bytes, i, n);
                    remaining -= n;
                    i += n;
                    if (remaining == 0) {
                        state = State.DATA_END;
                    }
                }
                case DATA_END -> {
                    if (b == '\n') {
                        state = State.SIZE;
                    } else if (b != '\r') {
                        throw new IllegalStateException("missing CRLF after chunk data");
                    }
                    i++;
                }
                case TRAILER, TRAILER_LINE -> {
                    if (b == '\n') {
                        if (trailerLineEmpty) {
                            state = State.DONE;
                        }
                        trailerLineEmpty = true;
                    } else if (b != '\r') {
                        trailerLineEmpty = false;
                    }
                    i++;
                }
                case DONE -> {
                    return;
                }
            }
        }
    }

    private void endOfSize() {
        if (sizeDigits == 0) {
            throw new IllegalStateException("empty chunk size");
        }
        sizeDigits = 0;
        if (remaining == 0) {
            state = State.TRAILER;
            trailerLineEmpty = true;
        } else {
            state = State.DATA;
        }
    }
}
