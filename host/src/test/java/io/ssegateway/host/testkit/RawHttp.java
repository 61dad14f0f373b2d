package io.ssegateway.host.testkit;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.net.Socket;
import java.net.SocketException;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import java.util.Locale;

/**
 * Requests written byte for byte on a fresh socket, for what a well-behaved client cannot send (bad chunk sizes,
 * truncated bodies, odd request lines). The answer is read until the server closes the connection, or until one
 * whole response (by its {@code Content-Length}) has arrived.
 */
public final class RawHttp {

    private RawHttp() {
    }

    /** A response as it came: status (0 when none came before the connection closed), headers and body as text. */
    public record Response(int status, String head, String body, boolean closedWithoutAnswer) {
        public String header(String name) {
            for (String line : head.split("\r\n")) {
                int colon = line.indexOf(':');
                if (colon > 0 && line.substring(0, colon).trim().equalsIgnoreCase(name)) {
                    return line.substring(colon + 1).trim();
                }
            }
            return null;
        }
    }

    /** Writes {@code request} and, if {@code halfClose}, shuts the output (FIN); reads the answer for up to 10 s. */
    public static Response exchange(int port, String request, boolean halfClose) {
        return exchange(port, request.getBytes(StandardCharsets.ISO_8859_1), halfClose);
    }

    public static Response exchange(int port, byte[] request, boolean halfClose) {
        try (Socket socket = new Socket("127.0.0.1", port)) {
            socket.setSoTimeout(10_000);
            socket.getOutputStream().write(request);
            socket.getOutputStream().flush();
            if (halfClose) {
                socket.shutdownOutput();
            }
            boolean head = new String(request, 0, Math.min(5, request.length), StandardCharsets.ISO_8859_1).equals("HEAD ");
            return read(socket.getInputStream(), head);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** @param head the answer to a HEAD request: complete after its headers, whatever its Content-Length says */
    private static Response read(InputStream in, boolean head) throws IOException {
        ByteArrayOutputStream received = new ByteArrayOutputStream();
        byte[] buffer = new byte[8192];
        try {
            int n;
            while ((n = in.read(buffer)) >= 0) {
                received.write(buffer, 0, n);
                String text = received.toString(StandardCharsets.ISO_8859_1);
                if (head ? text.contains("\r\n\r\n") : complete(text)) {
                    break;
                }
            }
        } catch (SocketException reset) {
            // closed with a reset: what came before it is the answer
        } catch (SocketTimeoutException timeout) {
            throw new AssertionError("no answer and no close within 10 s; received: " + received, timeout);
        }
        String text = received.toString(StandardCharsets.UTF_8);
        int end = text.indexOf("\r\n\r\n");
        if (!text.startsWith("HTTP/") || end < 0) {
            return new Response(0, "", text, true);
        }
        int status = Integer.parseInt(text.substring(9, 12));
        return new Response(status, text.substring(0, end), text.substring(end + 4), false);
    }

    /** Whether a whole response with a {@code Content-Length} is in {@code text}. */
    private static boolean complete(String text) {
        int end = text.indexOf("\r\n\r\n");
        if (end < 0) {
            return false;
        }
        for (String line : text.substring(0, end).split("\r\n")) {
            if (line.toLowerCase(Locale.ROOT).startsWith("content-length:")) {
                return text.length() - end - 4 >= Integer.parseInt(line.substring(15).trim());
            }
        }
        return false;
    }
}
