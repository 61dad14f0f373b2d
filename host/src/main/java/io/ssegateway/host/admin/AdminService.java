package io.ssegateway.host.admin;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.helidon.http.HeaderNames;
import io.helidon.webserver.CloseConnectionException;
import io.helidon.webserver.http.HttpRules;
import io.helidon.webserver.http.HttpService;
import io.helidon.webserver.http.ServerRequest;
import io.helidon.webserver.http.ServerResponse;
import io.ssegateway.host.auth.PublishAuthorizer;
import io.ssegateway.host.channel.Dispatcher;
import io.ssegateway.host.channel.Subscriber;
import io.ssegateway.host.channel.Subscriptions;
import io.ssegateway.host.core.GatewayMetrics;
import io.ssegateway.host.core.GatewaySettings;
import io.ssegateway.host.core.PluginCalls;
import io.ssegateway.host.core.PluginStatus;
import io.ssegateway.host.http.ClientAddress;
import io.ssegateway.host.http.HeadRequests;
import io.ssegateway.host.http.Json;
import io.ssegateway.kit.RateLimitedLog;
import io.ssegateway.kit.SendBody;
import io.ssegateway.kit.StrictJson;
import io.ssegateway.spi.lifecycle.ConnectionInfo;
import io.ssegateway.spi.source.BusSource;
import io.ssegateway.spi.source.Delivery;
import io.ssegateway.spi.source.IfStorageFails;
import io.ssegateway.spi.source.IncomingMessage;
import io.ssegateway.spi.source.MessageTooLargeException;
import java.io.IOException;
import java.io.InputStream;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.UUID;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * The JSON admin API: {@code POST /api/send} and {@code GET /api/stats}, both behind the {@link AdminGuard};
 * {@code /api/send} also takes publisher credentials the authenticator admits ({@link PublisherGuard}).
 * With a {@link BusSource}, {@code /api/send} publishes through the bus so that every instance delivers the message
 * (see {@link BusSource} for the fallback when the bus is down).
 */
public final class AdminService implements HttpService {

    /** Room for the JSON envelope around {@code data} in a send request. */
    private static final int ENVELOPE_BYTES = 64 * 1024;
    private static final int MAX_STATS_LIMIT = 10_000;

    private final AdminGuard guard;
    private final PublisherGuard publishers;
    private final Dispatcher dispatcher;
    private final Subscriptions registry;
    private final GatewayMetrics metrics;
    private final GatewayStatus status;
    private final GatewaySettings settings;
    private final int maxBodyBytes;
    private final BusSource bus;
    private final BusSource.StoringMode busMode;
    private static final Logger FINE = Logger.getLogger(AdminService.class.getName());
    private final RateLimitedLog busLog = new RateLimitedLog(Logger.getLogger(AdminService.class.getName()));

    /** @param bus the source when it is a {@link BusSource} (then {@code /api/send} publishes through it), else {@code null} */
    public AdminService(AdminGuard guard, PublishAuthorizer publishAuthorizer, Dispatcher dispatcher,
                        Subscriptions registry, GatewayMetrics metrics, GatewayStatus status, GatewaySettings settings,
                        BusSource bus, BusSource.StoringMode busMode, ClientAddress clientAddress) {
        this.publishers = new PublisherGuard(guard, publishAuthorizer, clientAddress);
        this.bus = bus;
        this.busMode = busMode;
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
        rules.post("/send", this::timedSend)
                .any("/send", HeadRequests.bodilessForHead((request, response) -> Json.error(response, 405, "use POST /api/send")))
                .get("/stats", this::stats)
                .head("/stats", HeadRequests.of(this::stats))
                .any("/stats", HeadRequests.bodilessForHead((request, response) -> Json.error(response, 405, "use GET /api/stats")));
    }

    private void timedSend(ServerRequest request, ServerResponse response) {
        long startedAt = System.nanoTime();
        try {
            send(request, response);
        } finally {
            GatewayMetrics.record(metrics.sendDuration, System.nanoTime() - startedAt);
        }
    }

    private void send(ServerRequest request, ServerResponse response) {
        PublisherGuard.Publisher publisher = publishers.admit(request, response);
        if (publisher == null) {
            return;
        }
        // the raw value: Helidon's parsed content type throws on an empty or malformed header
        if (!StrictJson.isJsonContentType(request.headers().first(HeaderNames.CONTENT_TYPE).orElse(null))) {
            Json.error(response, 415, "Content-Type must be application/json");
            return;
        }
        if (request.headers().contentLength().orElse(0) > maxBodyBytes) {
            Json.error(response, 413, "request body is larger than " + maxBodyBytes + " bytes");
            return;
        }
        byte[] body;
        try {
            // not closed: closing drains what is left of the body, and after a bad chunk size that would read on
            // through the garbage (waiting for bytes that never come); the connection ends below instead
            InputStream in = request.content().inputStream();
            body = readBody(in, request.headers().contentLength().orElse(-1));
        } catch (IOException | RuntimeException e) {
            // a bad chunk size, a body shorter than its Content-Length: Helidon throws unchecked exceptions of its
            // own. The connection's framing is lost, so it ends after this answer (if the client still reads).
            FINE.log(Level.FINE, "unreadable /api/send body", e);
            Json.error(response, 400, "could not read the request body: " + bodyProblem(e));
            throw new CloseConnectionException("unreadable request body");
        }
        if (body.length > maxBodyBytes) {
            Json.error(response, 413, "request body is larger than " + maxBodyBytes + " bytes");
            // rather than reading the rest of a body of any size
            throw new CloseConnectionException("request body too large");
        }
        IncomingMessage message;
        try {
            message = parseSend(body);
        } catch (IllegalArgumentException e) {
            Json.error(response, 400, e.getMessage());
            return;
        }
        if (!publishers.mayPublish(publisher, message, request, response)) {
            return;
        }
        try {
            dispatcher.validateRequest(message);
        } catch (IllegalArgumentException e) {
            Json.error(response, e instanceof MessageTooLargeException ? 413 : 400, e.getMessage());
            return;
        }
        String busProblem = null;
        if (bus != null) {
            if (busMode == BusSource.StoringMode.EACH_INSTANCE_STORES && !message.isBroadcast() && message.messageId() == null) {
                // every instance appends what the bus brings: one business id lets a storage they share keep it once
                message = message.withMessageId(UUID.randomUUID().toString());
            }
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
        // read its end too (no socket read: the length is used up), so that Helidon counts the entity consumed;
        // otherwise it drains it after the handler through a 2 KiB array of its own, 13 % of a publish's allocation
        if (in.read() != -1) {
            throw new IOException("the body is longer than its Content-Length");
        }
        return body;
    }

    /**
     * Hands a valid message to the bus (every instance, this one included, delivers it when the bus brings it back)
     * and answers. Returns {@code null} once answered, or why the bus could not take the message.
     */
    /** What went wrong reading a body, for the client: Helidon's exceptions say it badly or not at all. */
    private static String bodyProblem(Exception e) {
        if (e instanceof NumberFormatException) {
            return "invalid chunk size";
        }
        if (e.getClass().getSimpleName().equals("InsufficientDataAvailableException")) {
            return "the body ended before its Content-Length";
        }
        return e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage();
    }

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
        } catch (RuntimeException | LinkageError e) {
            return "message bus '" + bus.name() + "' failed: " + PluginCalls.describe(bus, e);
        }
        int local = message.isBroadcast() ? registry.connectionCount() : registry.channelConnectionCount(message.channelId());
        Json.send(response, 200, Json.object().put("success", true).put("sent_count", local).put("stream_id", streamId)
                .put("stored", streamId != null));
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
        // an HTTP publisher can be held back: a burst then goes out at the fan-out's pace instead of queueing up
        // the wait is part of the request's body phase: it must leave time to answer within request-body-timeout
        long maxWait = Math.min(settings.sendBackpressureMaxWait().toNanos(), settings.requestBodyTimeout().toNanos() / 2);
        long waited = registry.passes().awaitLagAtMost(settings.sendBackpressureDelay().toNanos(), maxWait);
        if (waited > 0) {
            GatewayMetrics.record(metrics.sendBackpressureWait, waited);
        }
        Delivery delivery;
        try {
            delivery = dispatcher.handle(message, IfStorageFails.DELIVER_UNSTORED);
        } catch (IllegalArgumentException e) {
            Json.error(response, e instanceof MessageTooLargeException ? 413 : 400, e.getMessage());
            return;
        }
        String warning = switch (delivery.outcome()) {
            case STORED, NOT_STORED -> null;
            case FAILED -> "storage unavailable: delivered to online subscribers only, not stored";
            case UNKNOWN -> "the storage timed out: the message may or may not be stored; sending it again with the same"
                    + " id is safe";
        };
        if (warning != null && delivery.localSubscribers() == 0) {
            // nobody got it and it is (probably) not stored: refuse, so that the publisher retries
            response.header(HeaderNames.RETRY_AFTER, Long.toString(Math.max(1, settings.retryAfter().toSeconds())));
            Json.send(response, 503, warn(stored(Json.object().put("success", false), delivery.outcome())
                    .put("error", (delivery.outcome() == Delivery.Outcome.UNKNOWN
                            ? "the storage timed out and no subscriber is online: the message may or may not be stored"
                            : "storage unavailable and no subscriber online: the message was not accepted")), busWarning));
            return;
        }
        Json.send(response, 200, warn(sendReply(delivery), join(busWarning, warning)));
    }

    private static String join(String first, String second) {
        return first == null ? second : second == null ? first : first + "; " + second;
    }

    private static ObjectNode counts(java.util.Map<String, Long> counts) {
        ObjectNode node = Json.object();
        counts.forEach(node::put);
        return node;
    }

    private static ObjectNode warn(ObjectNode reply, String warning) {
        return warning == null ? reply : reply.put("warning", warning);
    }

    /** The message of a {@link SendBody}; an {@link IllegalArgumentException} names what is wrong with the body. */
    static IncomingMessage parseSend(byte[] body) {
        SendBody send = SendBody.parse(body);
        IncomingMessage message = send.channelId() == null
                ? IncomingMessage.broadcast(send.eventType(), send.data())
                : IncomingMessage.toChannel(send.channelId(), send.eventType(), send.data());
        return message.withMessageId(send.id());
    }

    private static ObjectNode sendReply(Delivery delivery) {
        return stored(Json.object().put("success", true).put("sent_count", delivery.localSubscribers())
                .put("stream_id", delivery.streamId()), delivery.outcome());
    }

    /** {@code "stored"}: {@code true}, {@code false}, or {@code "unknown"} when the storage timed out. */
    private static ObjectNode stored(ObjectNode reply, Delivery.Outcome outcome) {
        return outcome == Delivery.Outcome.UNKNOWN ? reply.put("stored", "unknown")
                : reply.put("stored", outcome == Delivery.Outcome.STORED);
    }

    private void stats(ServerRequest request, ServerResponse response) {
        if (!guard.admit(request, response)) {
            return;
        }
        ConnectionPage page;
        try {
            page = ConnectionPage.from(request.query().rawValue(), 100, MAX_STATS_LIMIT);
        } catch (IllegalArgumentException e) {
            Json.error(response, 400, e.getMessage());
            return;
        }
        Json.send(response, 200, statsBody(page.limit(), page.offset(), page.channel()));
    }

    /** The {@code limit} channels with the most connections on this instance, most first: {@code channel}, {@code subscribers}. */
    public ArrayNode topChannels(int limit) {
        record Count(String channel, int subscribers) {
        }
        List<Count> counts = new ArrayList<>();
        for (String channel : registry.channels()) {
            counts.add(new Count(channel, registry.channelConnectionCount(channel)));
        }
        counts.sort(Comparator.comparingInt(Count::subscribers).reversed().thenComparing(Count::channel));
        ArrayNode top = Json.object().arrayNode();
        counts.stream().limit(limit).filter(count -> count.subscribers() > 0)
                .forEach(count -> top.addObject().put("channel", count.channel()).put("subscribers", count.subscribers()));
        return top;
    }

    /** The body of {@code /api/stats}; also what the dashboard shows. */
    public ObjectNode statsBody(int limit, int offset, String channelFilter) {
        List<Subscriber> connections = new ArrayList<>();
        if (channelFilter == null) {
            registry.forEach(connections::add);
        } else {
            connections.addAll(registry.subscribers(channelFilter));
        }
        connections.sort(Comparator.comparing((Subscriber subscriber) -> subscriber.info().connectedAt())
                .thenComparing(subscriber -> subscriber.info().connectionId()));

        ObjectNode body = Json.object();
        body.put("instance_id", registry.instanceId());
        body.put("total_connections", registry.connectionCount());
        body.put("channels", registry.channelCount());
        body.put("matching_connections", connections.size());
        ArrayNode list = body.putArray("connections");
        for (Subscriber subscriber : connections.subList(Math.min(offset, connections.size()),
                Math.min(connections.size(), (int) Math.min((long) offset + limit, Integer.MAX_VALUE)))) {
            ConnectionInfo info = subscriber.info();
            ObjectNode row = list.addObject()
                    .put("id", info.connectionId())
                    .put("channel_id", info.channelId())
                    .put("connected_at", info.connectedAt().toString())
                    .put("client_ip", info.clientIp())
                    .put("subject", info.subject())
                    .put("is_active", subscriber.isActive())
                    .put("queued", subscriber.queued());
            info.channelIds().forEach(row.putArray("channel_ids")::add);
        }
        body.put("messages_published", metrics.messagesPublished.sum());
        body.put("events_delivered", metrics.eventsDelivered.sum());
        body.put("slow_consumers_dropped", metrics.slowConsumersDropped.sum());
        body.put("replays", metrics.replays.sum());
        body.put("replay_gaps", metrics.replayGaps.sum());
        body.put("messages_rejected", metrics.messagesRejectedTotal());
        body.put("append_failures", metrics.appendFailures.sum());
        body.put("tcp_connections", status.tcpConnections());
        body.put("max_tcp_connections", status.maxTcpConnections());
        body.put("tcp_limit_reached", metrics.tcpLimitReached.sum());
        body.set("connections_rejected", counts(metrics.connectionsRejected()));
        body.set("connections_timed_out", counts(metrics.connectionsTimedOut()));
        body.set("streams_ended", counts(metrics.streamsEnded()));
        body.putObject("source").put("name", status.sourceName()).put("state", status.sourceState());
        body.putObject("storage").put("name", status.storageName()).put("available", status.storageAvailable());
        ArrayNode plugins = body.putArray("plugins");
        for (PluginStatus plugin : status.plugins()) {
            plugins.addObject().put("id", plugin.id()).put("version", plugin.version()).put("state", plugin.state());
        }
        body.put("uptime_seconds", status.uptime().toSeconds());
        return body;
    }
}
