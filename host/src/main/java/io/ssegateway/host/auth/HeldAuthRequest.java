package io.ssegateway.host.auth;

import io.ssegateway.kit.BearerToken;
import io.ssegateway.kit.Cookies;
import io.ssegateway.kit.QueryParams;
import io.ssegateway.spi.auth.AuthRequest;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;

/**
 * An {@link AuthRequest} held as plain values, read once from whatever HTTP server received the request: the
 * subscription of {@code GET /sse/connect} and publish requests ({@link Action#PUBLISH}) alike.
 */
public final class HeldAuthRequest implements AuthRequest {

    private final Action action;
    private final String method;
    private final String path;
    private final String rawQuery;
    private final QueryParams query;
    private final Map<String, List<String>> headers;
    private final String clientIp;
    private final List<String> channelIds;

    /**
     * @param rawQuery the query string as received ({@code null} or empty: none)
     * @param query    {@code rawQuery} parsed
     * @param headers  header values by name in any case (names are compared case-insensitively)
     */
    public HeldAuthRequest(Action action, String method, String path, String rawQuery, QueryParams query,
                           Map<String, List<String>> headers, String clientIp, List<String> channelIds) {
        this.action = action;
        this.method = method;
        this.path = path;
        this.rawQuery = rawQuery == null ? "" : rawQuery;
        this.query = query;
        Map<String, List<String>> lowerCase = new LinkedHashMap<>();
        headers.forEach((name, values) -> lowerCase.computeIfAbsent(name.toLowerCase(Locale.ROOT),
                key -> new ArrayList<>()).addAll(values));
        lowerCase.replaceAll((name, values) -> List.copyOf(values));
        this.headers = Map.copyOf(lowerCase);
        this.clientIp = clientIp;
        this.channelIds = List.copyOf(channelIds);
    }

    /** A publish request to {@code uri} (path and query); a malformed query just has no parameters. */
    static HeldAuthRequest publish(String method, String uri, Map<String, List<String>> headers, String clientIp,
                                   List<String> channelIds) {
        int question = uri.indexOf('?');
        String path = question < 0 ? uri : uri.substring(0, question);
        String rawQuery = question < 0 ? "" : uri.substring(question + 1);
        return new HeldAuthRequest(Action.PUBLISH, method, path, rawQuery, parseLeniently(rawQuery), headers, clientIp,
                channelIds);
    }

    /** A publish API decides itself whether its query is malformed; here a malformed one just has no parameters. */
    private static QueryParams parseLeniently(String rawQuery) {
        try {
            return QueryParams.parse(rawQuery);
        } catch (IllegalArgumentException malformed) {
            return QueryParams.parse(null);
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
        return rawQuery.isEmpty() ? path : path + "?" + rawQuery;
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
        return rawQuery;
    }

    @Override
    public Optional<String> header(String name) {
        List<String> values = headers.get(name.toLowerCase(Locale.ROOT));
        return values == null || values.isEmpty() ? Optional.empty() : Optional.of(values.get(0));
    }

    @Override
    public Optional<String> bearerToken() {
        return header("authorization").map(BearerToken::presented).filter(token -> !token.isEmpty());
    }

    @Override
    public Optional<String> cookie(String name) {
        return Cookies.value(headers.getOrDefault("cookie", List.of()), name);
    }

    @Override
    public Optional<String> queryParam(String name) {
        return query.first(name);
    }
}
