package io.ssegateway.plugin.registry;

import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;

/**
 * The body of one HTTP/1.1 request on a push connection: {@code Content-Length} bytes, or a chunked body; it ends
 * where the request ends, so that the next request of a keep-alive connection can follow. {@link #close()} does not
 * close the connection; {@link #complete()} says whether the whole body was read (if not, the connection cannot be
 * reused).
 */
abstract class RequestBody extends InputStream {

    /** Told once the last byte of the body was read (the body phase is over). */
    interface Done {
        void bodyRead();
    }

    protected final InputStream in;
    private final Done done;
    private boolean complete;

    RequestBody(InputStream in, Done done) {
        this.in = in;
        this.done = done;
    }

    /** A body of {@code length} bytes (0: none). */
    static RequestBody fixed(InputStream in, long length, Done done) {
        return new Fixed(in, length, done);
    }

    /** A {@code Transfer-Encoding: chunked} body (its reader bounds how much it takes). */
    static RequestBody chunked(InputStream in, Done done) {
        return new Chunked(in, done);
    }

    /** Whether the body was read to its end. */
    boolean complete() {
        return complete;
    }

    protected final void ended() {
        if (!complete) {
            complete = true;
            done.bodyRead();
        }
    }

    @Override
    public int read() throws IOException {
        byte[] one = new byte[1];
        int n = read(one, 0, 1);
        return n < 0 ? -1 : one[0] & 0xff;
    }

    @Override
    public void close() {
        // the connection stays open; an unread rest makes it non-reusable (see complete())
    }

    private static final class Fixed extends RequestBody {
        private long left;

        Fixed(InputStream in, long length, Done done) {
            super(in, done);
            this.left = length;
            if (length == 0) {
                ended();
            }
        }

        @Override
        public int read(byte[] buffer, int offset, int length) throws IOException {
            if (left == 0) {
                return -1;
            }
            int n = in.read(buffer, offset, (int) Math.min(length, left));
            if (n < 0) {
                throw new EOFException("the request body ended after fewer bytes than its Content-Length");
            }
            left -= n;
            if (left == 0) {
                ended();
            }
            return n;
        }
    }

    private static final class Chunked extends RequestBody {
        private long chunkLeft;
        private boolean last;

        Chunked(InputStream in, Done done) {
            super(in, done);
        }

        @Override
        public int read(byte[] buffer, int offset, int length) throws IOException {
            if (last) {
                return -1;
            }
            if (chunkLeft == 0) {
                chunkLeft = nextChunkSize();
                if (chunkLeft == 0) {
                    // trailers (ignored) up to the empty line
                    while (!HttpHead.readLine(in, HttpHead.MAX_LINE).isEmpty()) {
                        // skip
                    }
                    last = true;
                    ended();
                    return -1;
                }
            }
            int n = in.read(buffer, offset, (int) Math.min(length, chunkLeft));
            if (n < 0) {
                throw new EOFException("the chunked request body ended inside a chunk");
            }
            chunkLeft -= n;
            if (chunkLeft == 0 && !HttpHead.readLine(in, 2).isEmpty()) {
                throw new IOException("malformed chunked body: no line end after a chunk");
            }
            return n;
        }

        private long nextChunkSize() throws IOException {
            String line = HttpHead.readLine(in, HttpHead.MAX_LINE);
            int extension = line.indexOf(';');
            String hex = (extension < 0 ? line : line.substring(0, extension)).trim();
            long size;
            try {
                size = Long.parseLong(hex, 16);
            } catch (NumberFormatException e) {
                throw new IOException("malformed chunked body: chunk size '" + hex + "'");
            }
            if (size < 0) {
                throw new IOException("malformed chunked body: chunk size '" + hex + "'");
            }
            return size;
        }
    }
}
