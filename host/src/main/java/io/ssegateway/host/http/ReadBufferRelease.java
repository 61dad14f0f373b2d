package io.ssegateway.host.http;

import io.helidon.common.socket.HelidonSocket;
import io.helidon.common.socket.PlainSocket;
import java.io.InputStream;
import java.io.OutputStream;
import java.lang.reflect.Field;
import java.lang.reflect.Modifier;
import java.net.Socket;

/**
 * Gives the 8 KiB read buffer of an event stream's connection back. Helidon's blocking socket ({@link PlainSocket},
 * and {@code TlsSocket}, which extends it) allocates that buffer with the connection and keeps it for the connection's
 * life, with no option to shrink it — about 40 % of what an idle stream costs. Once the request is read, an HTTP/1.1
 * event stream reads its socket only to notice the client leaving, and discards whatever arrives; when the stream
 * ends, the connection is closed and never read again. So every such connection can read into one shared buffer.
 * <p>
 * The buffer is a private final field: it is replaced by reflection. A start-up self-check ({@link #available()})
 * builds a socket of the shipped Helidon class, replaces its buffer and reads through it; if anything is not as
 * expected (another Helidon, a module that does not open its package, a JDK that forbids changing final fields), the
 * gateway logs it once and keeps the buffers — it works as before, with the 8 KiB each.
 */
public final class ReadBufferRelease {

    /**
     * What every released connection reads into. Reads from many threads overwrite each other in it, which is
     * harmless: a stream discards what it reads.
     */
    private static final byte[] DISCARD = new byte[8 * 1024];
    private static final Field READ_BUFFER = findField();
    private static final boolean AVAILABLE = READ_BUFFER != null && selfCheck();

    private ReadBufferRelease() {
    }

    /** Whether this Helidon's socket read buffer can be released (the start-up self-check passed). */
    public static boolean available() {
        return AVAILABLE;
    }

    /**
     * Makes {@code socket} read into the shared discard buffer from now on, so that its own buffer can be collected.
     * Only for a connection that will be read by nobody but its event stream's discarding read, and closed when the
     * stream ends.
     *
     * @return whether the buffer was released (false for another kind of socket, or when {@link #available()} is
     * false)
     */
    static boolean release(HelidonSocket socket) {
        if (!AVAILABLE || !(socket instanceof PlainSocket)) {
            return false;
        }
        try {
            READ_BUFFER.set(socket, DISCARD);
            return true;
        } catch (IllegalAccessException | RuntimeException e) {
            return false;
        }
    }

    /** Whether {@code socket} reads into the shared discard buffer (it was released). */
    static boolean released(HelidonSocket socket) {
        try {
            return AVAILABLE && socket instanceof PlainSocket && READ_BUFFER.get(socket) == DISCARD;
        } catch (IllegalAccessException e) {
            return false;
        }
    }

    /** {@code PlainSocket}'s read buffer field, accessible, or {@code null} if this Helidon has no such field. */
    private static Field findField() {
        try {
            Field field = PlainSocket.class.getDeclaredField("readBuffer");
            if (field.getType() != byte[].class || Modifier.isStatic(field.getModifiers())) {
                return null;
            }
            field.setAccessible(true);
            return field;
        } catch (ReflectiveOperationException | RuntimeException e) {
            return null;
        }
    }

    /**
     * Releases the buffer of a {@link PlainSocket} over a socket that exists only in memory, then reads from it: the
     * read must land in the discard buffer. This proves both that the field can be changed and that
     * {@link PlainSocket#get()} reads into it.
     */
    private static boolean selfCheck() {
        try {
            ProbeSocket probe = new ProbeSocket();
            PlainSocket socket = PlainSocket.server(probe, "self-check", "self-check");
            READ_BUFFER.set(socket, DISCARD);
            byte[] read = socket.get();
            return READ_BUFFER.get(socket) == DISCARD && probe.in.readInto == DISCARD
                    && read != null && read.length == 1;
        } catch (ReflectiveOperationException | RuntimeException e) {
            return false;
        }
    }

    /** A socket without a network: its input yields one byte and records the array it was asked to read into. */
    private static final class ProbeSocket extends Socket {

        final ProbeInput in = new ProbeInput();

        @Override
        public InputStream getInputStream() {
            return in;
        }

        @Override
        public OutputStream getOutputStream() {
            return OutputStream.nullOutputStream();
        }
    }

    private static final class ProbeInput extends InputStream {

        volatile byte[] readInto;

        @Override
        public int read() {
            return -1;
        }

        @Override
        public int read(byte[] b, int off, int len) {
            readInto = b;
            return 1;
        }
    }
}
