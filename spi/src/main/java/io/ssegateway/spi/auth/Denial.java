package io.ssegateway.spi.auth;

import java.util.Objects;

/**
 * The answer an {@link Authenticator} gives to refuse a subscription: the status and the body sent as given.
 *
 * @param status      an HTTP status from 400 to 599, usually 401 or 403
 * @param body        the response body
 * @param contentType the body's media type
 */
public record Denial(int status, String body, String contentType) {

    public Denial {
        if (status < 400 || status > 599) {
            throw new IllegalArgumentException("a denial needs a 4xx or 5xx status, not " + status);
        }
        Objects.requireNonNull(body, "body");
        Objects.requireNonNull(contentType, "contentType");
    }

    /** Refuses with a plain-text body. */
    public static Denial deny(int status, String text) {
        return new Denial(status, text, "text/plain; charset=utf-8");
    }

    /** Refuses with a JSON body, sent exactly as given (the caller is responsible for it being JSON). */
    public static Denial denyJson(int status, String json) {
        return new Denial(status, json, "application/json");
    }
}
