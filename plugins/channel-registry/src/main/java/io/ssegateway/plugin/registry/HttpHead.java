package io.ssegateway.plugin.registry;

import com.sun.net.httpserver.Headers;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.net.URI;
import java.net.URISyntaxException;
import java.nio.charset.StandardCharsets;

/**
 * The head of one HTTP/1.1 request: request line and headers, read with limits (no line longer than
 * {@link #MAX_LINE}, at most {@link #MAX_HEADERS} headers). A malformed head is a {@link BadRequest}.
 */
record HttpHead(String method, URI uri, String protocol, Headers headers) {

    static final int MAX_LINE = 8 * 1024;
    static final int MAX_HEADERS = 100;

    /** A head that is not valid HTTP/1.1: answered with 400 and the connection closed. */
    static final class BadRequest extends IOException {
        BadRequest(String message) {
            super(message);
        }
    }

    /** Reads a head whose first byte is {@code first} (already read). */
    static HttpHead read(int first, InputStream in) throws IOException {
        String requestLine = (char) first + readLine(in, MAX_LINE);
        String[] parts = requestLine.split(" ");
        if (parts.length != 3 || !parts[2].startsWith("HTTP/1.") || parts[0].isEmpty()) {
            throw new BadRequest("malformed request line");
        }
        URI uri;
        try {
            uri = new URI(parts[1]);
        } catch (URISyntaxException e) {
            throw new BadRequest("malformed request target: " + e.getReason());
        }
        Headers headers = new Headers();
        for (int count = 0; ; count++) {
            String line = readLine(in, MAX_LINE);
            if (line.isEmpty()) {
                break;
            }
            int colon = line.indexOf(':');
            if (count >= MAX_HEADERS || colon <= 0 || Character.isWhitespace(line.charAt(0))) {
                throw new BadRequest(count >= MAX_HEADERS ? "too many headers" : "malformed header line");
            }
            try {
                headers.add(line.substring(0, colon).trim(), line.substring(colon + 1).trim());
            } catch (IllegalArgumentException e) {
                throw new BadRequest("malformed header: " + e.getMessage());
            }
        }
        return new HttpHead(parts[0], uri, parts[2], headers);
    }

    /** Whether the client asked to close the connection after this request (or speaks HTTP/1.0). */
    boolean wantsClose() {
        String connection = headers.getFirst("Connection");
        boolean close = connection != null && connection.toLowerCase(java.util.Locale.ROOT).contains("close");
        return close || !protocol.equals("HTTP/1.1");
    }

    /**
     * One line without its line end (CRLF, or a bare LF), at most {@code max} bytes.
     *
     * @throws EOFException the connection ended first
     */
    static String readLine(InputStream in, int max) throws IOException {
        byte[] line = new byte[Math.min(max, 256)];
        int length = 0;
        while (true) {
            int b = in.read();
            if (b < 0) {
                throw new EOFException("the connection ended inside a line");
            }
            if (b == '\n') {
                if (length > 0 && line[length - 1] == '\r') {
                    length--;
                }
                return new String(line, 0, length, StandardCharsets.ISO_8859_1);
            }
            if (length == max) {
                throw new BadRequest("a line of the request is longer than " + max + " bytes");
            }
            if (length == line.length) {
                line = java.util.Arrays.copyOf(line, Math.min(max, line.length * 2));
            }
            line[length++] = (byte) b;
        }
    }
}
