package io.ssegateway.host.admin;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.helidon.common.media.type.MediaType;
import io.helidon.http.HeaderNames;
import io.helidon.http.HttpMediaType;
import io.helidon.webserver.http.HttpRules;
import io.helidon.webserver.http.HttpService;
import io.helidon.webserver.http.ServerRequest;
import io.helidon.webserver.http.ServerResponse;
import io.ssegateway.host.GatewayMetrics;
import io.ssegateway.host.GatewaySettings;
import io.ssegateway.host.Json;
import io.ssegateway.host.PluginCalls;
import io.ssegateway.spi.RateLimitedLog;
import io.ssegateway.host.channel.ChannelRegistry;
import io.ssegateway.host.channel.Dispatcher;
import io.ssegateway.host.channel.Subscriber;
import io.ssegateway.host.sse.QueryString;
import io.ssegateway.spi.lifecycle.ConnectionInfo;
import io.ssegateway.spi.source.BusSource;
import io.ssegateway.spi.source.IncomingMessage;
import io.ssegateway.spi.source.MessageTooLargeException;
import io.ssegateway.spi.storage.StorageException;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;
import java.util.logging.Logger;

/**
 * The JSON admin API: {@code POST /api/send} and {@code GET /api/stats}, both behind the {@link AdminGuard}.
 * With a {@link BusSource}, {@code /api/send} publishes through the bus so that every instance delivers the message
 * (see {@link BusSource} for the fallback when the bus is down).
 */
public final class AdminService implements HttpService {

    /** Room for the JSON envelope around {@code data} in a send request. */
    private static final int ENVELOPE_BYTES = 64 * 1024;
    private static final int MAX_STATS_LIMIT = 10_000;

    private final AdminGuard guard;
    private final Dispatcher dispatcher;
    private final ChannelRegistry registry;
    private final GatewayMetrics metrics;
    private final GatewayStatus status;
    private final GatewaySettings settings;
    private final int maxBodyBytes;
    private final BusSource bus;
    private final RateLimitedLog busLog = new RateLimitedLog(Logger.getLogger(AdminService.class.getName()));

    /** @param bus the source when it is a {@link BusSource} (then {@code /api/send} publishes through it), else {@code null} */
    public AdminService(AdminGuard guard, Dispatcher dispatcher, ChannelRegistry registry, GatewayMetrics metrics,
                        GatewayStatus status, GatewaySettings settings, BusSource bus) {
        this.bus = bus;
        this.guard = guard;
        this.dispatcher = dispatcher;
        this.registry = registry;
        this.metrics = metrics;
        this.status = status;
        this.settings = settings;
        this.maxBodyBytes = settings.maxMessageBytes() + ENVELOPE_BYTES;
    }

    @Override
    public void routing(HttpRules rules) {
        rules.post("/send", this::send)
                .any("/send", (request, response) -> Json.error(response, 405, "use POST /api/send"))
                .get("/stats", this::stats)
                .any("/stats", (request, response) -> Json.error(response, 405, "use GET /api/stats"));
    }

    private void send(ServerRequest request, ServerResponse response) {
        if (!guard.admit(request, response)) {
            return;
        }
        Optional<HttpMediaType> contentType = request.headers().contentType();
        if (contentType.isEmpty() || !isJson(contentType.get().mediaType())) {
            Json.error(response, 415, "Content-Type must be application/json");
            return;
        }
        if (request.headers().contentLength().orElse(0) > maxBodyBytes) {
            Json.error(response, 413, "request body is larger than " + maxBodyBytes + " bytes");
            return;
        }
        byte[] body;
        try (InputStream in = request.content().inputStream()) {
            body = readBody(in, request.headers().contentLength().orElse(-1));
        } catch (IOException | UncheckedIOException e) {
            Json.error(response, 400, "could not read the request body: " + e.getMessage());
            return;
        }
        if (body.length > maxBodyBytes) {
            Json.error(response, 413, "request body is larger than " + maxBodyBytes + " bytes");
            return;
        }
        IncomingMessage message;
        try {
            message = parseSend(body);
        } catch (IllegalArgumentException e) {
            Json.error(response, 400, e.getMessage());
            return;
        }
        try {
            dispatcher.validate(message);
        } catch (IllegalArgumentException e) {
            Json.error(response, e instanceof MessageTooLargeException ? 413 : 400, e.getMessage());
            return;
        }
        String busProblem = null;
        if (bus != null) {
            busProblem = publishOnBus(message, response);
            if (busProblem == null) {
                return;
            }
            busLog.warn(busProblem + "; storing and delivering /api/send messages on this instance only");
        }
        publishLocally(message, response, busProblem == null ? null : busProblem + ": delivered on this instance only");
    }

    /**
     * The request body, at most {@code maxBodyBytes + 1} bytes (one more says "too large"). With a Content-Length
     * (already checked against the limit) it is read into an array of exactly that size: no 16 KiB scratch buffers
     * and copies per publish.
     */
    private byte[] readBody(InputStream in, long contentLength) throws IOException {
        if (contentLength < 0) {
            return in.readNBytes(maxBodyBytes + 1);
        }
        byte[] body = new byte[(int) contentLength];
        int read = in.readNBytes(body, 0, body.length);
        if (read < body.length) {
            throw new IOException("the body ended after " + read + " of " + contentLength + " bytes");
        }
        return body;
    }

    /**
     * Hands a valid message to the bus (every instance, this one included, delivers it when the bus brings it back)
     * and answers. Returns {@code null} once answered, or why the bus could not take the message.
     */
    private String publishOnBus(IncomingMessage message, ServerResponse response) {
        String streamId;
        try {
            streamId = PluginCalls.withContextLoader(bus, () -> {
                if (!bus.isAvailable()) {
                    throw new BusUnavailable();
                }
                try {
                    return bus.publish(message);
                } catch (IllegalArgumentException | BusUnavailable e) {
                    throw e;
                } catch (Exception e) {
                    throw new BusUnavailable(e);
                }
            });
        } catch (IllegalArgumentException e) {
            Json.error(response, 400, e.getMessage());
            return null;
        } catch (BusUnavailable e) {
            return "message bus '" + bus.name() + "' " + (e.getCause() == null ? "is unavailable" : "failed: " + e.getCause());
        } catch (RuntimeException e) {
            return "message bus '" + bus.name() + "' failed: " + e;
        }
        int local = message.isBroadcast() ? registry.connectionCount() : registry.channelConnectionCount(message.channelId());
        Json.send(response, 200, Json.object().put("success", true).put("sent_count", local).put("stream_id", streamId));
        return null;
    }

    /** The bus is down or refused the message; the caller falls back to the local path. */
    private static final class BusUnavailable extends RuntimeException {
        BusUnavailable() {
            super(null, null, false, false);
        }

        BusUnavailable(Throwable cause) {
            super(null, cause, false, false);
        }
    }

    /** Stores and delivers on this instance; {@code busWarning} (or {@code null}) says why the bus was not used. */
    private void publishLocally(IncomingMessage message, ServerResponse response, String busWarning) {
        try {
            Dispatcher.Result result = dispatcher.publish(message);
            Json.send(response, 200, warn(sendReply(result), busWarning));
        } catch (IllegalArgumentException e) {
            Json.error(response, e instanceof MessageTooLargeException ? 413 : 400, e.getMessage());
        } catch (StorageException e) {
            // history is unavailable: whoever is online still gets it, without an id (it cannot be replayed)
            if (registry.channelConnectionCount(message.channelId()) == 0) {
                response.header(HeaderNames.RETRY_AFTER, Long.toString(settings.retryAfter().toSeconds()));
                Json.send(response, 503, warn(Json.object().put("success", false)
                        .put("error", "storage unavailable and no subscriber online: the message was not accepted"), busWarning));
                return;
            }
            String warning = "storage unavailable: delivered to online subscribers only, not stored";
            Json.send(response, 200, sendReply(dispatcher.deliverLive(message))
                    .put("warning", busWarning == null ? warning : busWarning + "; " + warning));
        }
    }

    private static ObjectNode warn(ObjectNode reply, String warning) {
        return warning == null ? reply : reply.put("warning", warning);
    }

    /** Reads {@code {"channel_id", "event_type", "data", "id"}}; an {@link IllegalArgumentException} names what is wrong. */
    static IncomingMessage parseSend(byte[] body) {
        JsonNode root;
        try {
            root = Json.MAPPER.readTree(body);
        } catch (JsonProcessingException e) {
            throw new IllegalArgumentException("malformed JSON: " + e.getOriginalMessage());
        } catch (IOException e) {
            throw new IllegalArgumentException("malformed JSON: " + e.getMessage());
        }
        if (root == null || !root.isObject()) {
            throw new IllegalArgumentException("the body must be a JSON object");
        }
        String channelId = optionalText(root, "channel_id");
        String eventType = optionalText(root, "event_type");
        if (eventType == null) {
            throw new IllegalArgumentException("missing field event_type");
        }
        JsonNode data = root.get("data");
        if (data == null) {
            throw new IllegalArgumentException("missing field data");
        }
        String id = optionalText(root, "id");
        String text = data.isTextual() ? data.textValue() : data.toString();
        return IncomingMessage.of(eventType, text).withChannel(channelId).withId(id);
    }

    private static String optionalText(JsonNode root, String field) {
        JsonNode value = root.get(field);
        if (value == null || value.isNull()) {
            return null;
        }
        if (!value.isTextual()) {
            throw new IllegalArgumentException(field + " must be a string" + ("channel_id".equals(field) ? " or null" : ""));
        }
        return value.textValue();
    }

    private static ObjectNode sendReply(Dispatcher.Result result) {
        return Json.object().put("success", true).put("sent_count", result.queued()).put("stream_id", result.streamId());
    }

    private static boolean isJson(MediaType mediaType) {
        return "application".equalsIgnoreCase(mediaType.type())
                && ("json".equalsIgnoreCase(mediaType.subtype()) || mediaType.subtype().toLowerCase().endsWith("+json"));
    }

    private void stats(ServerRequest request, ServerResponse response) {
        if (!guard.admit(request, response)) {
            return;
        }
        ConnectionPage page;
        try {
            page = ConnectionPage.from(new QueryString(request.query().rawValue()), 100, MAX_STATS_LIMIT);
        } catch (IllegalArgumentException e) {
            Json.error(response, 400, e.getMessage());
            return;
        }
        Json.send(response, 200, statsBody(page.limit(), page.offset(), page.channel()));
    }

    /** The body of {@code /api/stats}; also what the dashboard shows. */
    public ObjectNode statsBody(int limit, int offset, String channelFilter) {
        List<ConnectionInfo> connections = new ArrayList<>();
        if (channelFilter == null) {
            registry.forEach(subscriber -> connections.add(subscriber.info()));
        } else {
            registry.subscribers(channelFilter).stream().map(Subscriber::info).forEach(connections::add);
        }
        connections.sort(Comparator.comparing(ConnectionInfo::connectedAt).thenComparing(ConnectionInfo::connectionId));

        ObjectNode body = Json.object();
        body.put("instance_id", registry.instanceId());
        body.put("total_connections", registry.connectionCount());
        body.put("channels", registry.channelCount());
        body.put("matching_connections", connections.size());
        ArrayNode list = body.putArray("connections");
        for (ConnectionInfo info : connections.subList(Math.min(offset, connections.size()),
                Math.min(connections.size(), (int) Math.min((long) offset + limit, Integer.MAX_VALUE)))) {
            list.addObject()
                    .put("id", info.connectionId())
                    .put("channel_id", info.channelId())
                    .put("connected_at", info.connectedAt().toString())
                    .put("client_ip", info.clientIp());
        }
        body.put("messages_published", metrics.messagesPublished.sum());
        body.put("events_delivered", metrics.eventsDelivered.sum());
        body.put("slow_consumers_dropped", metrics.slowConsumersDropped.sum());
        body.put("replays", metrics.replays.sum());
        body.put("replay_gaps", metrics.replayGaps.sum());
        body.put("messages_rejected", metrics.messagesRejectedTotal());
        body.put("append_failures", metrics.appendFailures.sum());
        body.putObject("source").put("name", status.sourceName()).put("state", status.sourceState());
        body.putObject("storage").put("name", status.storageName()).put("available", status.storageAvailable());
        ArrayNode plugins = body.putArray("plugins");
        for (GatewayStatus.PluginState plugin : status.plugins()) {
            plugins.addObject().put("id", plugin.id()).put("version", plugin.version()).put("state", plugin.state());
        }
        body.put("uptime_seconds", status.uptime().toSeconds());
        return body;
    }
}
