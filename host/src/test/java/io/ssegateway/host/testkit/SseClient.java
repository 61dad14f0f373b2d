package io.ssegateway.host.testkit;

import java.io.BufferedInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.function.Predicate;

/**
 * A real SSE client for tests: a plain TCP socket speaking HTTP/1.1 (chunked or close-delimited bodies) and an
 * event-stream parser that follows the WHATWG rules (CR, LF and CRLF line ends, comments, {@code id}, {@code event},
 * multi-line {@code data}, {@code retry}). One virtual thread reads the stream; tests wait on what it parsed with
 * deadlines, never with sleeps.
 */
public final class SseClient implements AutoCloseable {

    /**
     * A dispatched event.
     *
     * @param id          the {@code id:} field of this very event, or {@code null} if it had none
     * @param lastEventId the client's last-event-id after this event (what a browser would send on reconnect)
     */
    public record Event(String type, String data, String id, String lastEventId) {
    }

    private final Socket socket;
    private final InputStream in;
    private final int status;
    private final Map<String, String> headers;
    private final String errorBody;
    private final List<Event> events = new ArrayList<>();
    private final List<String> comments = new ArrayList<>();
    private volatile Long retryMillis;
    private volatile boolean ended;
    private volatile Thread reader;

    // parser state (reader thread only)
    private final ByteArrayOutputStream line = new ByteArrayOutputStream();
    private boolean lastWasCr;
    private String eventType = "";
    private StringBuilder data = new StringBuilder();
    private String eventId;
    private String lastEventId = "";

    private SseClient(Socket socket, InputStream in, int status, Map<String, String> headers, String errorBody) {
        this.socket = socket;
        this.in = in;
        this.status = status;
        this.headers = headers;
        this.errorBody = errorBody;
    }

    /** Options for {@link #connect}. */
    public static final class Options {
        final Map<String, String> headers = new LinkedHashMap<>();
        Integer receiveBuffer;
        boolean read = true;
        String host = "127.0.0.1";
        String localAddress;

        public Options header(String name, String value) {
            headers.put(name, value);
            return this;
        }

        /** A small receive buffer (set before connecting), for slow-consumer tests. */
        public Options receiveBuffer(int bytes) {
            receiveBuffer = bytes;
            return this;
        }

        /** Read the status and headers, then never read the body: a client that stopped reading. */
        public Options dontRead() {
            read = false;
            return this;
        }

        public Options host(String host) {
            this.host = host;
            return this;
        }

        /** Connect from this local address (to appear as another client). */
        public Options from(String localAddress) {
            this.localAddress = localAddress;
            return this;
        }
    }

    public static Options options() {
        return new Options();
    }

    /** Subscribes to {@code channelId} on {@code port}. */
    public static SseClient subscribe(int port, String channelId) throws IOException {
        return connect(port, "/sse/connect?channel_id=" + Http.encode(channelId), options());
    }

    /** {@code GET pathAndQuery} with SSE headers; returns once the status line and headers are read. */
    public static SseClient connect(int port, String pathAndQuery, Options options) throws IOException {
        Socket socket = new Socket();
        if (options.receiveBuffer != null) {
            socket.setReceiveBufferSize(options.receiveBuffer);
        }
        if (options.localAddress != null) {
            socket.bind(new InetSocketAddress(options.localAddress, 0));
        }
        socket.connect(new InetSocketAddress(options.host, port), 10_000);
        socket.setSoTimeout(30_000);
        StringBuilder request = new StringBuilder()
                .append("GET ").append(pathAndQuery).append(" HTTP/1.1\r\n")
                .append("Host: ").append(options.host).append(':').append(port).append("\r\n")
                .append("Cache-Control: no-cache\r\n");
        if (options.headers.keySet().stream().noneMatch("accept"::equalsIgnoreCase)) {
            request.append("Accept: text/event-stream\r\n");
        }
        options.headers.forEach((name, value) -> request.append(name).append(": ").append(value).append("\r\n"));
        request.append("\r\n");
        OutputStream out = socket.getOutputStream();
        out.write(request.toString().getBytes(StandardCharsets.UTF_8));
        out.flush();

        InputStream in = new BufferedInputStream(socket.getInputStream(), options.read ? 8192 : 256);
        String statusLine = readHeaderLine(in);
        if (statusLine == null) {
            socket.close();
            throw new IOException("connection closed before a response");
        }
        int status = Integer.parseInt(statusLine.split(" ")[1]);
        Map<String, String> headers = new LinkedHashMap<>();
        for (String header = readHeaderLine(in); header != null && !header.isEmpty(); header = readHeaderLine(in)) {
            int colon = header.indexOf(':');
            headers.merge(header.substring(0, colon).trim().toLowerCase(Locale.ROOT), header.substring(colon + 1).trim(),
                    (a, b) -> a + ", " + b);
        }
        if (status != 200) {
            String body = new String(readWholeBody(in, headers), StandardCharsets.UTF_8);
            socket.close();
            return new SseClient(socket, in, status, headers, body);
        }
        SseClient client = new SseClient(socket, in, status, headers, null);
        if (options.read) {
            client.reader = Thread.ofVirtual().name("sse-client").start(client::readLoop);
        }
        return client;
    }

    public int status() {
        return status;
    }

    /** A response header (lower-case name), or {@code null}. */
    public String header(String name) {
        return headers.get(name.toLowerCase(Locale.ROOT));
    }

    /** The body of a non-200 response. */
    public String errorBody() {
        return errorBody;
    }

    public synchronized List<Event> events() {
        return List.copyOf(events);
    }

    /** Events other than heartbeats. */
    public synchronized List<Event> messages() {
        return events.stream().filter(event -> !event.type().equals("heartbeat")).toList();
    }

    public synchronized List<String> comments() {
        return List.copyOf(comments);
    }

    public Long retryMillis() {
        return retryMillis;
    }

    /** The id a browser would send as {@code Last-Event-ID} now ({@code ""} if none yet). */
    public synchronized String lastEventId() {
        return lastEventId;
    }

    public boolean ended() {
        return ended;
    }

    /** Waits until at least {@code count} non-heartbeat events arrived; returns exactly the first {@code count}. */
    public List<Event> awaitMessages(int count, Duration timeout) {
        awaitCondition(() -> messages().size() >= count, timeout,
                () -> "expected " + count + " events, got " + messages().size() + ": " + messages());
        return messages().subList(0, count);
    }

    /** Waits for an event matching {@code match}. */
    public Event awaitEvent(Predicate<Event> match, Duration timeout) {
        awaitCondition(() -> events().stream().anyMatch(match), timeout, () -> "no matching event in " + events());
        return events().stream().filter(match).findFirst().orElseThrow();
    }

    /** Waits until the server ends the stream (or the connection drops). */
    public void awaitEnd(Duration timeout) {
        awaitCondition(this::ended, timeout, () -> "the stream did not end; events: " + events().size());
    }

    /** Polls {@code condition} until it holds, failing with {@code describe} at the deadline. */
    public static void awaitCondition(java.util.function.BooleanSupplier condition, Duration timeout,
                                      java.util.function.Supplier<String> describe) {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() - deadline > 0) {
                throw new AssertionError("timed out after " + timeout.toMillis() + " ms: " + describe.get());
            }
            try {
                Thread.sleep(2);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new AssertionError("interrupted", e);
            }
        }
    }

    /** Closes the socket normally (FIN). */
    @Override
    public void close() {
        try {
            socket.close();
        } catch (IOException ignored) {
            // closing
        }
    }

    /** Closes the socket abruptly (RST), like a client that crashed or lost its network. */
    public void abort() {
        try {
            socket.setSoLinger(true, 0);
        } catch (IOException ignored) {
            // best effort
        }
        close();
    }

    private void readLoop() {
        try {
            socket.setSoTimeout(0);
            boolean chunked = "chunked".equalsIgnoreCase(headers.get("transfer-encoding"));
            if (chunked) {
                while (true) {
                    String sizeLine = readHeaderLine(in);
                    if (sizeLine == null) {
                        break;
                    }
                    int size = Integer.parseInt(sizeLine.split(";")[0].trim(), 16);
                    if (size == 0) {
                        break;
                    }
                    byte[] chunk = in.readNBytes(size);
                    if (chunk.length < size) {
                        break;
                    }
                    feed(chunk, chunk.length);
                    readHeaderLine(in);
                }
            } else {
                byte[] buffer = new byte[8192];
                for (int n = in.read(buffer); n >= 0; n = in.read(buffer)) {
                    feed(buffer, n);
                }
            }
        } catch (IOException | RuntimeException e) {
            // connection gone
        } finally {
            ended = true;
            close();
        }
    }

    private void feed(byte[] bytes, int length) {
        for (int i = 0; i < length; i++) {
            byte b = bytes[i];
            if (b == '\n' && lastWasCr) {
                lastWasCr = false;
                continue;
            }
            lastWasCr = b == '\r';
            if (b == '\r' || b == '\n') {
                processLine(line.toString(StandardCharsets.UTF_8));
                line.reset();
            } else {
                line.write(b);
            }
        }
    }

    private void processLine(String text) {
        if (text.isEmpty()) {
            dispatch();
            return;
        }
        if (text.startsWith(":")) {
            synchronized (this) {
                comments.add(text.substring(1).trim());
            }
            return;
        }
        int colon = text.indexOf(':');
        String field = colon < 0 ? text : text.substring(0, colon);
        String value = colon < 0 ? "" : text.substring(colon + 1);
        if (value.startsWith(" ")) {
            value = value.substring(1);
        }
        switch (field) {
            case "event" -> eventType = value;
            case "data" -> data.append(value).append('\n');
            case "id" -> {
                if (value.indexOf('\0') < 0) {
                    eventId = value;
                    synchronized (this) {
                        lastEventId = value;
                    }
                }
            }
            case "retry" -> {
                if (!value.isEmpty() && value.chars().allMatch(Character::isDigit)) {
                    retryMillis = Long.parseLong(value);
                }
            }
            default -> {
                // unknown fields are ignored
            }
        }
    }

    private void dispatch() {
        if (data.isEmpty()) {
            eventType = "";
            eventId = null;
            return;
        }
        String payload = data.substring(0, data.length() - 1);
        synchronized (this) {
            events.add(new Event(eventType.isEmpty() ? "message" : eventType, payload, eventId, lastEventId));
        }
        data = new StringBuilder();
        eventType = "";
        eventId = null;
    }

    private static String readHeaderLine(InputStream in) throws IOException {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        int b;
        while ((b = in.read()) >= 0) {
            if (b == '\n') {
                byte[] raw = bytes.toByteArray();
                int length = raw.length > 0 && raw[raw.length - 1] == '\r' ? raw.length - 1 : raw.length;
                return new String(raw, 0, length, StandardCharsets.ISO_8859_1);
            }
            bytes.write(b);
        }
        return bytes.size() == 0 ? null : bytes.toString(StandardCharsets.ISO_8859_1);
    }

    private static byte[] readWholeBody(InputStream in, Map<String, String> headers) throws IOException {
        if ("chunked".equalsIgnoreCase(headers.get("transfer-encoding"))) {
            ByteArrayOutputStream body = new ByteArrayOutputStream();
            for (String size = readHeaderLine(in); size != null; size = readHeaderLine(in)) {
                int length = Integer.parseInt(size.split(";")[0].trim(), 16);
                if (length == 0) {
                    break;
                }
                body.write(in.readNBytes(length));
                readHeaderLine(in);
            }
            return body.toByteArray();
        }
        String length = headers.get("content-length");
        return length == null ? in.readAllBytes() : in.readNBytes(Integer.parseInt(length));
    }

    /** A short description for assertion messages. */
    @Override
    public String toString() {
        return "SseClient[status=" + status + ", events=" + events().size() + ", ended=" + ended + "]";
    }

    /** Used by tests that must know the reader finished. */
    public void joinReader(Duration timeout) throws InterruptedException {
        if (reader != null) {
            reader.join(timeout);
        }
    }
}
