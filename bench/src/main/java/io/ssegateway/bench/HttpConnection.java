package io.ssegateway.bench;

import java.io.BufferedInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.Locale;

/**
 * A keep-alive HTTP/1.1 client connection on a plain blocking socket: one request at a time, the response read fully
 * (Content-Length or chunked). Cheap enough per request that the publisher measures the gateway, not the client.
 */
final class HttpConnection implements AutoCloseable {

    /** A response: status and body text. */
    record Response(int status, String body) {
    }

    private final InetSocketAddress target;
    private final String hostHeader;
    private final String authorization;
    private Socket socket;
    private OutputStream out;
    private InputStream in;

    /** @param adminToken sent as {@code Authorization: Bearer …}, or {@code null} */
    HttpConnection(InetSocketAddress target, String adminToken) {
        this.target = target;
        this.hostHeader = target.getHostString() + ":" + target.getPort();
        this.authorization = adminToken == null ? "" : "Authorization: Bearer " + adminToken + "\r\n";
    }

    /** @param headers extra header lines, each ending in CRLF */
    Response post(String path, String contentType, String headers, String text) throws IOException {
        byte[] body = text.getBytes(StandardCharsets.UTF_8);
        String head = "POST " + path + " HTTP/1.1\r\nHost: " + hostHeader + "\r\n" + authorization + headers
                + "Content-Type: " + contentType + "\r\nContent-Length: " + body.length + "\r\n\r\n";
        return exchange(head, body);
    }

    Response get(String path) throws IOException {
        return exchange("GET " + path + " HTTP/1.1\r\nHost: " + hostHeader + "\r\n" + authorization + "\r\n", new byte[0]);
    }

    private Response exchange(String head, byte[] body) throws IOException {
        if (socket == null) {
            socket = new Socket();
            socket.setTcpNoDelay(true);
            socket.connect(target, 10_000);
            socket.setSoTimeout(60_000);
            out = socket.getOutputStream();
            in = new BufferedInputStream(socket.getInputStream(), 8192);
        }
        try {
            byte[] headBytes = head.getBytes(StandardCharsets.UTF_8);
            byte[] request = new byte[headBytes.length + body.length];
            System.arraycopy(headBytes, 0, request, 0, headBytes.length);
            System.arraycopy(body, 0, request, headBytes.length, body.length);
            out.write(request);
            out.flush();
            return readResponse();
        } catch (IOException e) {
            close();
            throw e;
        }
    }

    private Response readResponse() throws IOException {
        String statusLine = readLine();
        if (statusLine == null) {
            throw new IOException("connection closed before the response");
        }
        int status = Integer.parseInt(statusLine.substring(9, 12));
        long contentLength = -1;
        boolean chunked = false;
        boolean close = false;
        String line;
        while ((line = readLine()) != null && !line.isEmpty()) {
            String lower = line.toLowerCase(Locale.ROOT);
            if (lower.startsWith("content-length:")) {
                contentLength = Long.parseLong(lower.substring(15).strip());
            } else if (lower.startsWith("transfer-encoding:") && lower.contains("chunked")) {
                chunked = true;
            } else if (lower.startsWith("connection:") && lower.contains("close")) {
                close = true;
            }
        }
        ByteArrayOutputStream body = new ByteArrayOutputStream();
        if (chunked) {
            while (true) {
                String size = readLine();
                int semicolon = size.indexOf(';');
                int length = Integer.parseInt((semicolon < 0 ? size : size.substring(0, semicolon)).strip(), 16);
                if (length == 0) {
                    while ((line = readLine()) != null && !line.isEmpty()) {
                        // trailers
                    }
                    break;
                }
                body.write(in.readNBytes(length));
                readLine();
            }
        } else if (contentLength >= 0) {
            body.write(in.readNBytes((int) contentLength));
        } else {
            body.write(in.readAllBytes());
            close = true;
        }
        if (close) {
            close();
        }
        return new Response(status, body.toString(StandardCharsets.UTF_8));
    }

    private String readLine() throws IOException {
        StringBuilder line = new StringBuilder();
        int b;
        while ((b = in.read()) >= 0) {
            if (b == '\n') {
                int length = line.length();
                return length > 0 && line.charAt(length - 1) == '\r' ? line.substring(0, length - 1) : line.toString();
            }
            line.append((char) b);
        }
        return line.isEmpty() ? null : line.toString();
    }

    @Override
    public void close() {
        if (socket != null) {
            try {
                socket.close();
            } catch (IOException ignored) {
                // closing anyway
            }
            socket = null;
        }
    }
}
