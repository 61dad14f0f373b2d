package io.ssegateway.spi.auth;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;

/**
 * The answer an {@link Authenticator} gives to refuse a request: the status, the body sent as given, and extra
 * response headers (such as {@code WWW-Authenticate}).
 *
 * @param status      an HTTP status from 400 to 599, usually 401 or 403
 * @param body        the response body
 * @param contentType the body's media type
 * @param headers     extra response headers, name → value; immutable, never {@code null}. The gateway sets its own
 *                    {@code Content-Type} (from {@code contentType}) and CORS headers whatever this map says
 */
public record Denial(int status, String body, String contentType, Map<String, String> headers) {

    public Denial {
        if (status < 400 || status > 599) {
            throw new IllegalArgumentException("a denial needs a 4xx or 5xx status, not " + status);
        }
        Objects.requireNonNull(body, "body");
        Objects.requireNonNull(contentType, "contentType");
        headers = Map.copyOf(Objects.requireNonNull(headers, "headers"));
        for (Map.Entry<String, String> header : headers.entrySet()) {
            if (hasLineBreak(header.getKey()) || hasLineBreak(header.getValue())) {
                throw new IllegalArgumentException("a denial's header must not contain CR, LF or NUL: " + header.getKey());
            }
        }
    }

    /** A denial without extra headers. */
    public Denial(int status, String body, String contentType) {
        this(status, body, contentType, Map.of());
    }

    /** Refuses with a plain-text body. */
    public static Denial deny(int status, String text) {
        return new Denial(status, text, "text/plain; charset=utf-8");
    }

    /** Refuses with a JSON body, sent exactly as given (the caller is responsible for it being JSON). */
    public static Denial denyJson(int status, String json) {
        return new Denial(status, json, "application/json");
    }

    /** This denial with one more response header (replacing one of the same name). */
    public Denial withHeader(String name, String value) {
        Map<String, String> more = new LinkedHashMap<>(headers);
        more.put(Objects.requireNonNull(name, "name"), Objects.requireNonNull(value, "value"));
        return new Denial(status, body, contentType, more);
    }

    private static boolean hasLineBreak(String text) {
        return text.indexOf('\r') >= 0 || text.indexOf('\n') >= 0 || text.indexOf('\0') >= 0;
    }
}
