package io.ssegateway.host.sse;

import io.helidon.http.HeaderName;
import io.helidon.http.HeaderNames;
import io.helidon.webserver.http.Handler;
import io.helidon.webserver.http.ServerRequest;
import io.helidon.webserver.http.ServerResponse;
import java.util.List;

/**
 * CORS for {@code /sse/connect}: any origin without credentials by default; with
 * {@code gateway.cors.allowed-origins} set, only those origins, echoed, with credentials (cookie auth).
 * The admin routes send no CORS headers at all.
 */
final class Cors {

    private static final HeaderName ALLOW_ORIGIN = HeaderNames.create("Access-Control-Allow-Origin");
    private static final HeaderName ALLOW_CREDENTIALS = HeaderNames.create("Access-Control-Allow-Credentials");
    private static final HeaderName ALLOW_METHODS = HeaderNames.create("Access-Control-Allow-Methods");
    private static final HeaderName ALLOW_HEADERS = HeaderNames.create("Access-Control-Allow-Headers");
    private static final HeaderName MAX_AGE = HeaderNames.create("Access-Control-Max-Age");

    private Cors() {
    }

    /** Adds the CORS headers of a subscription response (also on its errors, so that a page can read them). */
    static void apply(List<String> allowedOrigins, ServerRequest request, ServerResponse response) {
        if (allowedOrigins.isEmpty()) {
            response.header(ALLOW_ORIGIN, "*");
            return;
        }
        response.header(HeaderNames.VARY, "Origin");
        request.headers().first(HeaderNames.ORIGIN)
                .filter(allowedOrigins::contains)
                .ifPresent(origin -> {
                    response.header(ALLOW_ORIGIN, origin);
                    response.header(ALLOW_CREDENTIALS, "true");
                });
    }

    /** Answers a preflight {@code OPTIONS /sse/connect}. */
    static Handler preflight(List<String> allowedOrigins) {
        return (request, response) -> {
            apply(allowedOrigins, request, response);
            response.header(ALLOW_METHODS, "GET, OPTIONS");
            response.header(ALLOW_HEADERS, "Last-Event-ID, Authorization, Cache-Control, Content-Type");
            response.header(MAX_AGE, "600");
            response.status(204).send();
        };
    }
}
