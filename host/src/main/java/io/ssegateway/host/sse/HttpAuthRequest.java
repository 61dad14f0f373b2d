package io.ssegateway.host.sse;

import io.helidon.http.Header;
import io.helidon.webserver.http.ServerRequest;
import io.ssegateway.spi.auth.AuthRequest;
import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;

/** The {@link AuthRequest} of one {@code GET /sse/connect}, read once from the Helidon request. */
final class HttpAuthRequest implements AuthRequest {

    private final String method;
    private final String path;
    private final QueryString query;
    private final Map<String, List<String>> headers;
    private final String channelId;
    private final String clientIp;

    HttpAuthRequest(ServerRequest request, QueryString query, String channelId) {
        this.method = request.prologue().method().text();
        this.path = request.path().rawPath();
        this.query = query;
        this.channelId = channelId;
        Map<String, List<String>> collected = new LinkedHashMap<>();
        for (Header header : request.headers()) {
            collected.computeIfAbsent(header.name().toLowerCase(Locale.ROOT), name -> new ArrayList<>())
                    .addAll(header.allValues());
        }
        collected.replaceAll((name, values) -> List.copyOf(values));
        this.headers = Map.copyOf(collected);
        this.clientIp = clientIp(headers, request.remotePeer().address());
    }

    /** The first {@code X-Forwarded-For} entry, else the socket peer's address. */
    static String clientIp(Map<String, List<String>> headers, SocketAddress peer) {
        List<String> forwarded = headers.get("x-forwarded-for");
        if (forwarded != null && !forwarded.isEmpty()) {
            String first = forwarded.get(0).split(",", 2)[0].trim();
            if (!first.isEmpty()) {
                return first;
            }
        }
        return peerAddress(peer);
    }

    static String peerAddress(SocketAddress peer) {
        if (peer instanceof InetSocketAddress inet && inet.getAddress() != null) {
            return inet.getAddress().getHostAddress();
        }
        return String.valueOf(peer);
    }

    @Override
    public String method() {
        return method;
    }

    @Override
    public String uri() {
        return query.raw().isEmpty() ? path : path + "?" + query.raw();
    }

    @Override
    public Map<String, List<String>> headers() {
        return headers;
    }

    @Override
    public String channelId() {
        return channelId;
    }

    @Override
    public String clientIp() {
        return clientIp;
    }

    @Override
    public String path() {
        return path;
    }

    @Override
    public String queryString() {
        return query.raw();
    }

    @Override
    public Optional<String> header(String name) {
        List<String> values = headers.get(name.toLowerCase(Locale.ROOT));
        return values == null || values.isEmpty() ? Optional.empty() : Optional.of(values.get(0));
    }

    @Override
    public Optional<String> bearerToken() {
        return header("authorization")
                .map(String::trim)
                .filter(value -> value.regionMatches(true, 0, "Bearer ", 0, 7))
                .map(value -> value.substring(7).trim())
                .filter(token -> !token.isEmpty());
    }

    @Override
    public Optional<String> cookie(String name) {
        for (String header : headers.getOrDefault("cookie", List.of())) {
            for (String pair : header.split(";")) {
                int equals = pair.indexOf('=');
                if (equals > 0 && pair.substring(0, equals).trim().equals(name)) {
                    String value = pair.substring(equals + 1).trim();
                    if (value.length() >= 2 && value.startsWith("\"") && value.endsWith("\"")) {
                        value = value.substring(1, value.length() - 1);
                    }
                    return Optional.of(value);
                }
            }
        }
        return Optional.empty();
    }

    @Override
    public Optional<String> queryParam(String name) {
        return query.first(name);
    }
}
