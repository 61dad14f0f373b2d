package io.ssegateway.host.http;

import io.helidon.http.DirectHandler;
import io.helidon.http.HeaderNames;
import io.helidon.http.ServerResponseHeaders;
import io.helidon.http.Status;
import io.helidon.webserver.http.DirectHandlers;
import io.ssegateway.kit.StrictJson;
import java.nio.charset.StandardCharsets;

/**
 * What Helidon answers by itself — a request line or headers it cannot parse (400), a URI too long (414), a method it
 * does not know (501), an HTTP version it does not speak (505), a body too large (413) — as the gateway's
 * {@code {"error": …}} JSON instead of an empty or HTML body.
 */
public final class JsonDirectHandler implements DirectHandler {

    private JsonDirectHandler() {
    }

    /** The handlers of a listener: this one for every event type. */
    public static DirectHandlers all() {
        DirectHandlers.Builder builder = DirectHandlers.builder();
        JsonDirectHandler handler = new JsonDirectHandler();
        for (EventType type : EventType.values()) {
            builder.addHandler(type, handler);
        }
        return builder.build();
    }

    @Override
    public TransportResponse handle(TransportRequest request, EventType eventType, Status status,
                                    ServerResponseHeaders headers, String message) {
        String error = eventType == EventType.INTERNAL_ERROR || message == null || message.isBlank()
                ? status.reasonPhrase().toLowerCase(java.util.Locale.ROOT)
                : message;
        headers.set(HeaderNames.CONTENT_TYPE, Json.MEDIA_TYPE);
        return TransportResponse.builder()
                .status(status)
                .headers(headers)
                .entity(StrictJson.object().put("error", error).toString().getBytes(StandardCharsets.UTF_8))
                .build();
    }
}
