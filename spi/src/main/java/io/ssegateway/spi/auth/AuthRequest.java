package io.ssegateway.spi.auth;

import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * The subscription request an {@link Authenticator} judges. Implemented by the host; immutable.
 * Header names are case-insensitive.
 */
public interface AuthRequest {

    /** The HTTP method, {@code GET}. */
    String method();

    /** The request target as received: path and query, for example {@code /sse/connect?channel_id=u1&token=x}. */
    String uri();

    /** All request headers; keys are lower-case header names. */
    Map<String, List<String>> headers();

    /** The validated {@code channel_id}. */
    String channelId();

    /** The first address of {@code X-Forwarded-For} if present, else the socket peer's address. */
    String clientIp();

    /** The path, {@code /sse/connect}. */
    String path();

    /** The raw (still encoded) query string without {@code ?}; empty if none. */
    String queryString();

    /** The first value of a header. */
    Optional<String> header(String name);

    /** The token of {@code Authorization: Bearer <token>}. */
    Optional<String> bearerToken();

    /** A cookie's value from the {@code Cookie} header(s). */
    Optional<String> cookie(String name);

    /** The first value of a query parameter, URL-decoded. */
    Optional<String> queryParam(String name);
}
