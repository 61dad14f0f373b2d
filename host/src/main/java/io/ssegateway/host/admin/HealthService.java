package io.ssegateway.host.admin;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.helidon.http.HeaderNames;
import io.helidon.webserver.http.HttpRules;
import io.helidon.webserver.http.HttpService;
import io.helidon.webserver.http.ServerRequest;
import io.helidon.webserver.http.ServerResponse;
import io.ssegateway.host.http.HeadRequests;
import io.ssegateway.host.http.Json;
import java.time.Duration;

/**
 * {@code GET /health}: 200 {@code OK} while the process serves, 503 once its listener stopped accepting connections
 * (the process must be restarted). {@code GET /ready}: 200 {@code READY} when the storage is available, the source
 * runs and the authenticator (if any) is available; otherwise 503 with a JSON body that says which part is not ready.
 * A part that becomes unavailable after the gateway was ready is tolerated for {@code gateway.readiness-grace}: 200
 * {@code READY (degraded: …)} meanwhile, so that a blip of a dependency every instance shares (Redis) does not take
 * every instance out of the load balancer at once. Shutting down is reported at once.
 */
public final class HealthService implements HttpService {

    private final GatewayStatus status;
    private final long graceNanos;
    /** Whether {@code /ready} has answered 200 once: until then nothing is tolerated. */
    private volatile boolean wasReady;
    /** {@link System#nanoTime()} when a part was first seen unavailable in the current outage, or {@code null}. */
    private volatile Long unavailableSince;

    public HealthService(GatewayStatus status, Duration readinessGrace) {
        this.status = status;
        this.graceNanos = readinessGrace.toNanos();
    }

    @Override
    public void routing(HttpRules rules) {
        rules.get("/health", this::health)
                .head("/health", HeadRequests.of(this::health))
                .get("/ready", this::ready)
                .head("/ready", HeadRequests.of(this::ready));
    }

    private void health(ServerRequest request, ServerResponse response) {
        if (!status.listening()) {
            Json.error(response, 503, "the listener stopped accepting connections: restart the gateway");
            return;
        }
        text(response, "OK");
    }

    private void ready(ServerRequest request, ServerResponse response) {
        ArrayNode reasons = Json.object().arrayNode();
        if (status.shuttingDown()) {
            Json.send(response, 503, Json.object().put("error", "not ready: the gateway is shutting down")
                    .set("reasons", reasons.add("the gateway is shutting down")));
            return;
        }
        if (!status.storageAvailable()) {
            reasons.add("storage '" + status.storageName() + "' is unavailable");
        }
        if (!status.sourceReady()) {
            reasons.add("source '" + status.sourceName() + "' is " + describe(status.sourceState()));
        }
        if (!status.authenticatorAvailable()) {
            reasons.add("the authenticator is unavailable (it cannot check credentials yet; see the log)");
        }
        if (reasons.isEmpty()) {
            wasReady = true;
            unavailableSince = null;
            text(response, "READY");
            return;
        }
        if (withinGrace()) {
            text(response, "READY (degraded: " + join(reasons) + ")");
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

    /** Whether an outage that began after the gateway was ready is younger than the grace (starting it if new). */
    private boolean withinGrace() {
        if (!wasReady || graceNanos == 0) {
            return false;
        }
        long now = System.nanoTime();
        Long since = unavailableSince;
        if (since == null) {
            unavailableSince = now;
            return true;
        }
        return now - since < graceNanos;
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
