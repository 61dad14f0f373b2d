package io.ssegateway.host.http;

import io.helidon.http.HeaderNames;
import io.helidon.webserver.http.ServerResponse;
import io.ssegateway.spi.auth.Denial;

/** Sends an authenticator's {@link Denial} as given: its status, headers, content type and body. */
public final class Denials {

    private Denials() {
    }

    public static void send(ServerResponse response, Denial denial) {
        denial.headers().forEach((name, value) -> response.header(HeaderNames.create(name), value));
        response.status(denial.status());
        response.header(HeaderNames.CONTENT_TYPE, denial.contentType());
        response.send(denial.body());
    }
}
