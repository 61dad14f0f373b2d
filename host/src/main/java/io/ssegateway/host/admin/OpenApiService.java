package io.ssegateway.host.admin;

import io.helidon.http.HeaderNames;
import io.helidon.webserver.http.HttpRules;
import io.helidon.webserver.http.HttpService;
import io.helidon.webserver.http.ServerRequest;
import io.helidon.webserver.http.ServerResponse;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;

/**
 * {@code GET /openapi.yaml}: the OpenAPI 3.1 description of the HTTP API, the file
 * {@code host/src/main/resources/io/ssegateway/host/admin/openapi.yaml} (a test checks real answers of every route
 * against it).
 */
public final class OpenApiService implements HttpService {

    /** Where the description is, on the class path. */
    public static final String RESOURCE = "openapi.yaml";

    private final byte[] description = load();

    @Override
    public void routing(HttpRules rules) {
        rules.get("/openapi.yaml", this::describe);
    }

    private void describe(ServerRequest request, ServerResponse response) {
        response.header(HeaderNames.CONTENT_TYPE, "application/yaml; charset=utf-8");
        response.send(description);
    }

    private static byte[] load() {
        try (InputStream in = OpenApiService.class.getResourceAsStream(RESOURCE)) {
            if (in == null) {
                throw new IllegalStateException(RESOURCE + " is missing from the host jar");
            }
            return in.readAllBytes();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
