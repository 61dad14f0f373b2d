package io.ssegateway.spi.testkit;

import io.ssegateway.spi.auth.AuthRequest;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;

/**
 * An {@link AuthRequest} for calling an authenticator directly in a unit test, without a gateway:
 * <pre>{@code
 * AuthResult result = authenticator.authenticate(TestAuthRequest.subscribe("room-1")
 *         .header("Authorization", "Bearer " + token).build());
 * }</pre>
 * Test its behaviour end to end as well, against a gateway built with {@code Gateway.builder()}: the gateway's own
 * request parsing is what production uses.
 */
public final class TestAuthRequest implements AuthRequest {

    private final Action action;
    private final String method;
    private final String path;
    private final String query;
    private final Map<String, List<String>> headers;
    private final List<String> channelIds;
    private final String clientIp;

    private TestAuthRequest(Builder builder) {
        this.action = builder.action;
        this.method = builder.method;
        this.path = builder.path;
        this.query = builder.query.toString();
        Map<String, List<String>> copy = new LinkedHashMap<>();
        builder.headers.forEach((name, values) -> copy.put(name, List.copyOf(values)));
        this.headers = Map.copyOf(copy);
        this.channelIds = List.copyOf(builder.channelIds);
        this.clientIp = builder.clientIp;
    }

    /** A subscription to {@code channelIds} ({@code GET /sse/connect}). */
    public static Builder subscribe(String... channelIds) {
        return new Builder(Action.SUBSCRIBE, "GET", "/sse/connect", List.of(channelIds));
    }

    /** A publish request to {@code channelIds} ({@code POST /api/send}); none for a broadcast. */
    public static Builder publish(String... channelIds) {
        return new Builder(Action.PUBLISH, "POST", "/api/send", List.of(channelIds));
    }

    /** Builds a {@link TestAuthRequest}. */
    public static final class Builder {
        private final Action action;
        private final String method;
        private final String path;
        private final List<String> channelIds;
        private final Map<String, List<String>> headers = new LinkedHashMap<>();
        private final StringBuilder query = new StringBuilder();
        private String clientIp = "127.0.0.1";

        private Builder(Action action, String method, String path, List<String> channelIds) {
            this.action = action;
            this.method = method;
            this.path = path;
            this.channelIds = channelIds;
            if (action == Action.SUBSCRIBE) {
                channelIds.forEach(channel -> query("channel_id", channel));
            }
        }

        /** Adds a header value. */
        public Builder header(String name, String value) {
            headers.computeIfAbsent(name.toLowerCase(Locale.ROOT), key -> new ArrayList<>()).add(value);
            return this;
        }

        /** Adds a cookie (to one {@code Cookie} header). */
        public Builder cookie(String name, String value) {
            List<String> cookies = headers.computeIfAbsent("cookie", key -> new ArrayList<>());
            if (cookies.isEmpty()) {
                cookies.add(name + "=" + value);
            } else {
                cookies.set(0, cookies.get(0) + "; " + name + "=" + value);
            }
            return this;
        }

        /** Adds a query parameter (URL-encoded here). */
        public Builder query(String name, String value) {
            query.append(query.isEmpty() ? "" : "&").append(java.net.URLEncoder.encode(name, StandardCharsets.UTF_8))
                    .append('=').append(java.net.URLEncoder.encode(value, StandardCharsets.UTF_8));
            return this;
        }

        public Builder clientIp(String clientIp) {
            this.clientIp = clientIp;
            return this;
        }

        public TestAuthRequest build() {
            return new TestAuthRequest(this);
        }
    }

    @Override
    public Action action() {
        return action;
    }

    @Override
    public String method() {
        return method;
    }

    @Override
    public String uri() {
        return query.isEmpty() ? path : path + "?" + query;
    }

    @Override
    public Map<String, List<String>> headers() {
        return headers;
    }

    @Override
    public List<String> channelIds() {
        return channelIds;
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
        return query;
    }

    @Override
    public Optional<String> header(String name) {
        List<String> values = headers.get(name.toLowerCase(Locale.ROOT));
        return values == null || values.isEmpty() ? Optional.empty() : Optional.of(values.get(0));
    }

    @Override
    public Optional<String> bearerToken() {
        return header("authorization").map(String::trim)
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
                    return Optional.of(pair.substring(equals + 1).trim());
                }
            }
        }
        return Optional.empty();
    }

    @Override
    public Optional<String> queryParam(String name) {
        for (String pair : query.split("&")) {
            int equals = pair.indexOf('=');
            String key = URLDecoder.decode(equals < 0 ? pair : pair.substring(0, equals), StandardCharsets.UTF_8);
            if (!pair.isEmpty() && key.equals(name)) {
                return Optional.of(equals < 0 ? "" : URLDecoder.decode(pair.substring(equals + 1), StandardCharsets.UTF_8));
            }
        }
        return Optional.empty();
    }
}
