package io.ssegateway.host.admin;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.helidon.http.HeaderNames;
import io.helidon.webserver.http.HttpRules;
import io.helidon.webserver.http.HttpService;
import io.helidon.webserver.http.ServerRequest;
import io.helidon.webserver.http.ServerResponse;
import io.ssegateway.host.Json;

/**
 * {@code GET /health}: 200 while the process serves. {@code GET /ready}: 200 {@code READY} when the storage is
 * available and the source runs; otherwise 503 with a JSON body that says which part is not ready.
 */
public final class HealthService implements HttpService {

    private final GatewayStatus status;

    public HealthService(GatewayStatus status) {
        this.status = status;
    }

    @Override
    public void routing(HttpRules rules) {
        rules.get("/health", (request, response) -> text(response, "OK"))
                .get("/ready", this::ready);
    }

    private void ready(ServerRequest request, ServerResponse response) {
        ArrayNode reasons = Json.MAPPER.createArrayNode();
        if (status.shuttingDown()) {
            reasons.add("the gateway is shutting down");
        }
        if (!status.storageAvailable()) {
            reasons.add("storage '" + status.storageName() + "' is unavailable");
        }
        if (!status.sourceReady()) {
            reasons.add("source '" + status.sourceName() + "' is " + describe(status.sourceState()));
        }
        if (reasons.isEmpty()) {
            text(response, "READY");
            return;
        }
        ObjectNode body = Json.object();
        body.put("error", "not ready: " + join(reasons));
        body.set("reasons", reasons);
        body.putObject("source").put("name", status.sourceName()).put("state", status.sourceState())
                .put("ready", status.sourceReady());
        body.putObject("storage").put("name", status.storageName()).put("available", status.storageAvailable());
        Json.send(response, 503, body);
    }

    private static String describe(String state) {
        return "RUNNING".equals(state) ? "disconnected" : state.toLowerCase();
    }

    private static String join(ArrayNode reasons) {
        StringBuilder joined = new StringBuilder();
        reasons.forEach(reason -> joined.append(joined.isEmpty() ? "" : "; ").append(reason.textValue()));
        return joined.toString();
    }

    private static void text(ServerResponse response, String body) {
        response.header(HeaderNames.CONTENT_TYPE, "text/plain; charset=utf-8");
        response.send(body);
    }
}
