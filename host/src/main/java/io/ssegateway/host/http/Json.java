package io.ssegateway.host.http;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.helidon.http.HeaderNames;
import io.helidon.webserver.http.ServerResponse;
import io.ssegateway.kit.StrictJson;
import java.nio.charset.StandardCharsets;

/**
 * JSON responses: the gateway's replies and errors ({@code {"error": "…"}} with a status). Requests are read with the
 * kit's {@link StrictJson}, the one parser configuration of every JSON endpoint.
 */
public final class Json {

    public static final String MEDIA_TYPE = "application/json";

    private Json() {
    }

    public static ObjectNode object() {
        return StrictJson.object();
    }

    /**
     * Sends {@code body} as compact JSON with {@code status}, as bytes: a {@code String} would go through Helidon's
     * media writers (a lookup and content negotiation per reply).
     */
    public static void send(ServerResponse response, int status, ObjectNode body) {
        response.status(status);
        response.header(HeaderNames.CONTENT_TYPE, MEDIA_TYPE);
        response.send(body.toString().getBytes(StandardCharsets.UTF_8));
    }

    /** Sends {@code {"error": message}} with {@code status}. */
    public static void error(ServerResponse response, int status, String message) {
        send(response, status, object().put("error", message));
    }

    /** A handler answering 405 with {@code {"error": "method not allowed, use <allowed>"}}. */
    public static io.helidon.webserver.http.Handler methodNotAllowed(String allowed) {
        return HeadRequests.bodilessForHead((request, response) -> error(response, 405, "method not allowed, use " + allowed));
    }

    /** A 503 with {@code Retry-After} (whole seconds, at least 1). */
    public static void unavailable(ServerResponse response, String message, java.time.Duration retryAfter) {
        response.header(HeaderNames.RETRY_AFTER, Long.toString(Math.max(1, retryAfter.toSeconds())));
        error(response, 503, message);
    }
}
