package io.ssegateway.spi.auth;

import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * The request an {@link Authenticator} judges: a subscription ({@code GET /sse/connect}) or, for an authenticator that
 * {@linkplain Authenticator#authorizesPublishers() judges publishers}, a publish request ({@code POST /api/send}, or a
 * source's own HTTP API such as the channel registry's {@code /push}). Implemented by the host; immutable.
 * Header names are case-insensitive.
 */
public interface AuthRequest {

    /** What the client asks to do. */
    enum Action {
        /** Read the stream of {@link #channelIds()}. */
        SUBSCRIBE,
        /** Publish a message to {@link #channelIds()}; none for a broadcast (to every connection). */
        PUBLISH
    }

    /**
     * What the client asks to do; {@link Action#SUBSCRIBE} unless the authenticator
     * {@linkplain Authenticator#authorizesPublishers() judges publishers}.
     */
    default Action action() {
        return Action.SUBSCRIBE;
    }

    /** The HTTP method: {@code GET} for a subscription, usually {@code POST} for a publish request. */
    String method();

    /** The request target as received: path and query, for example {@code /sse/connect?channel_id=u1&token=x}. */
    String uri();

    /** All request headers; keys are lower-case header names. */
    Map<String, List<String>> headers();

    /**
     * The validated {@code channel_id}s of the subscription, in the order the request gave them, without repeats;
     * one for a single-channel subscription. For {@link Action#PUBLISH}: the channels the message goes to, none for a
     * broadcast.
     */
    List<String> channelIds();

    /** The first of {@link #channelIds()}: the channel of a single-channel subscription; {@code null} for a broadcast. */
    default String channelId() {
        return channelIds().isEmpty() ? null : channelIds().get(0);
    }

    /** The client's address: the socket peer's (or, behind a configured trusted proxy, the one the proxy reports). */
    String clientIp();

    /** The path: {@code /sse/connect} for a subscription. */
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
