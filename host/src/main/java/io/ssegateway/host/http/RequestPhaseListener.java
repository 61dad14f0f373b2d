package io.ssegateway.host.http;

import io.helidon.http.HeaderNames;
import io.helidon.http.Headers;
import io.helidon.http.HttpPrologue;
import io.helidon.http.Status;
import io.helidon.webserver.ConnectionContext;
import io.helidon.webserver.http1.Http1ConnectionListener;

/**
 * Helidon's HTTP/1.1 receive hooks turned into the phases of {@link OpenConnections}: a request line came, then its
 * headers (with or without a body to follow); and, from {@link #responses}, the send hook: a response began. They run
 * on the connection's thread. Helidon forwards nothing to a list of several listeners, so each must be the only one
 * registered in its direction.
 */
final class RequestPhaseListener implements Http1ConnectionListener {

    private final OpenConnections connections;

    RequestPhaseListener(OpenConnections connections) {
        this.connections = connections;
    }

    /** The send-side listener: the status line of a response is about to be written. */
    static Http1ConnectionListener responses(OpenConnections connections) {
        return new Http1ConnectionListener() {
            @Override
            public void status(ConnectionContext ctx, Status status) {
                connections.responseStarted();
            }
        };
    }

    @Override
    public void prologue(ConnectionContext ctx, HttpPrologue prologue) {
        connections.requestLine();
    }

    @Override
    public void headers(ConnectionContext ctx, Headers headers) {
        connections.requestHeaders(headers.contains(HeaderNames.TRANSFER_ENCODING) || contentLength(headers) != 0);
    }

    private static long contentLength(Headers headers) {
        try {
            return headers.contentLength().orElse(0);
        } catch (IllegalArgumentException invalid) {
            // Helidon refuses the request; until then, treat it as one with a body
            return -1;
        }
    }
}
