package io.ssegateway.plugin.registry;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpHandler;
import io.lettuce.core.RedisException;
import io.ssegateway.kit.BearerToken;
import io.ssegateway.kit.ChannelIds;
import io.ssegateway.kit.PercentDecoder;
import io.ssegateway.kit.QueryParams;
import io.ssegateway.kit.RateLimitedLog;
import io.ssegateway.kit.StrictJson;
import io.ssegateway.redis.RedisLink;
import io.ssegateway.spi.ConnectionView;
import io.ssegateway.spi.auth.AuthResult;
import io.ssegateway.spi.auth.Denial;
import io.ssegateway.spi.source.Delivery;
import io.ssegateway.spi.source.IfStorageFails;
import io.ssegateway.spi.source.IncomingMessage;
import io.ssegateway.spi.source.MessageHandler;
import io.ssegateway.spi.source.MessageTooLargeException;
import io.ssegateway.spi.storage.StorageException;
import io.ssegateway.spi.storage.StorageTimeoutException;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * The push API that agents call on the instance holding a channel:
 * <pre>
 * POST /push              store the message once and deliver it to this instance's subscribers of the channel
 *                         → {"success": true, "online": &lt;subscribers here&gt;, "stream_id": "…"}; without channel_id
 *                         a broadcast to this instance's connections (not stored), with the other instances in
 *                         "elsewhere"
 * POST /store             the same for a user who is offline: store (delivered here too if someone is, so that no
 *                         subscriber ever skips it) → {"success": true, "online": …, "stream_id": "…", "elsewhere": […]}
 * GET  /channel/{id}      → {"channel_id": "…", "online": …, "gateway": "host:port" or null,
 *                            "instances": [{"instance_id", "address"}]}
 * GET  /instances         → {"instances": [{"instance_id", "address", "connections", "channels", "started_at",
 *                            "heartbeat_at"}]}
 * GET  /channels?cursor=0&amp;count=100  → {"channels": [{"channel_id", "instances": […]}], "cursor": "…"}
 * </pre>
 * {@code /push} and {@code /store} go through the gateway's {@link MessageHandler#handle}, which stores and queues
 * under the channel's lock: per channel, this instance delivers in stream-id order whatever path a message took.
 * When {@code /push} finds nobody here, and always for {@code /store}, the reply lists in {@code elsewhere} the other
 * instances holding the channel right now: pushing the same message (same {@code id}) to each delivers it there
 * without storing it again.
 * <p>
 * Errors are {@code {"error": "…"}}: 400 bad input, 401 missing or wrong push token, 404, 405, 413 body or data too
 * large, 415 not JSON, 503 (with {@code Retry-After}) when the storage or the registry is unreachable.
 * <p>
 * {@code /push} and {@code /store} also take a publisher credential of the gateway's authenticator (a JWT with a
 * {@code publish} claim, say) instead of the push token: a request whose {@code Authorization: Bearer} value is not the
 * push token is read, then judged for its channel by {@link MessageHandler#authorizePublish}; its refusal is the
 * answer as the authenticator gave it. The other routes need the push token.
 */
final class PushApi implements HttpHandler {

    private static final Logger LOG = Logger.getLogger(PushApi.class.getName());
    private static final int DEFAULT_PAGE = 100;
    private static final int MAX_PAGE = 1000;
    private static final String RETRY_AFTER_SECONDS = "1";

    private final MessageHandler handler;
    private final ConnectionView connections;
    private final ChannelDirectory directory;
    /** {@code null}: no token required. */
    private final BearerToken pushToken;
    private final int maxBodyBytes;
    private final String tokenKey;
    private final RateLimitedLog unavailableLog = new RateLimitedLog(LOG, Duration.ofSeconds(10));

    PushApi(MessageHandler handler, ConnectionView connections, ChannelDirectory directory, RegistrySettings settings) {
        this.handler = handler;
        this.connections = connections;
        this.directory = directory;
        this.pushToken = settings.pushToken() == null ? null : BearerToken.of(settings.pushToken());
        this.maxBodyBytes = settings.maxBodyBytes();
        this.tokenKey = settings.keyOf("push-token");
    }

    /** A reply not yet sent: status, body (JSON unless an authenticator's denial says otherwise), extra headers. */
    private record Reply(int status, String body, String contentType, Map<String, String> headers) {
        static Reply ok(ObjectNode body) {
            return new Reply(200, body.toString(), "application/json", Map.of());
        }

        static Reply error(int status, String message) {
            return new Reply(status, StrictJson.object().put("error", message).toString(), "application/json", Map.of());
        }

        static Reply denial(Denial denial) {
            return new Reply(denial.status(), denial.body(), denial.contentType(), denial.headers());
        }

        Reply with(String header, String value) {
            Map<String, String> more = new HashMap<>(headers);
            more.put(header, value);
            return new Reply(status, body, contentType, more);
        }
    }

    @Override
    public void handle(HttpExchange exchange) {
        try (exchange) {
            Reply reply;
            try {
                reply = route(exchange);
            } catch (RuntimeException e) {
                LOG.log(Level.SEVERE, "Push API: unexpected failure on " + exchange.getRequestMethod() + " "
                        + exchange.getRequestURI().getRawPath(), e);
                reply = Reply.error(500, "internal error");
            }
            send(exchange, reply);
        } catch (IOException clientGone) {
            LOG.log(Level.FINE, "Push API: client went away", clientGone);
        }
    }

    private Reply route(HttpExchange exchange) throws IOException {
        String path = exchange.getRequestURI().getRawPath();
        String method = exchange.getRequestMethod();
        boolean publishing = path.equals("/push") || path.equals("/store");
        boolean tokenOk = authorized(exchange);
        // a publish request with a credential of its own: the gateway's authenticator judges it once the channel is known
        boolean ownCredential = !tokenOk && publishing && presentsBearer(exchange);
        if (!tokenOk && !ownCredential) {
            return unauthorized();
        }
        if (pushToken == null && !RegistrySettings.isLoopback(hostName(exchange.getRequestHeaders().getFirst("Host")))) {
            // without a token the port is bound to loopback; a page from a DNS-rebinding domain still names its own host
            return Reply.error(403, "without " + tokenKey + " the push API answers only requests for a loopback host"
                    + " (Host: localhost, 127.0.0.1 or [::1])");
        }
        if (publishing) {
            if (!method.equals("POST")) {
                return methodNotAllowed("POST");
            }
            return publish(exchange, path.equals("/push"), ownCredential);
        }
        if (path.startsWith("/channel/")) {
            if (!readsOnly(method)) {
                return methodNotAllowed("GET");
            }
            return channel(path.substring("/channel/".length()));
        }
        if (path.equals("/instances")) {
            return readsOnly(method) ? instances() : methodNotAllowed("GET");
        }
        if (path.equals("/channels")) {
            return readsOnly(method) ? channels(exchange.getRequestURI().getRawQuery()) : methodNotAllowed("GET");
        }
        return Reply.error(404, "no route for " + method + " " + path
                + " (POST /push, POST /store, GET /channel/{id}, GET /instances, GET /channels)");
    }

    /** GET, or HEAD: the same answer without its body (the exchange leaves it out). */
    private static boolean readsOnly(String method) {
        return method.equals("GET") || method.equals("HEAD");
    }

    private static Reply methodNotAllowed(String allowed) {
        return Reply.error(405, "method not allowed, use " + allowed).with("Allow", allowed);
    }

    /** The host of a {@code Host} header, without its port; {@code ""} if absent. */
    static String hostName(String host) {
        if (host == null) {
            return "";
        }
        String value = host.trim();
        int colon = value.lastIndexOf(':');
        if (colon > 0 && value.indexOf(']') < colon && value.substring(colon + 1).chars().allMatch(Character::isDigit)) {
            value = value.substring(0, colon);
        }
        return value;
    }

    private boolean authorized(HttpExchange exchange) {
        return pushToken == null || pushToken.matches(exchange.getRequestHeaders().getFirst("Authorization"));
    }

    private static boolean presentsBearer(HttpExchange exchange) {
        String presented = BearerToken.presented(exchange.getRequestHeaders().getFirst("Authorization"));
        return presented != null && !presented.isEmpty();
    }

    private Reply unauthorized() {
        return Reply.error(401, "missing or wrong push token (Authorization: Bearer <" + tokenKey + ">)")
                .with("WWW-Authenticate", "Bearer realm=\"sse-gateway push\"");
    }

    /**
     * The gateway's verdict on a publisher credential; {@code null} if allowed. Without an authenticator that judges
     * publishers, only the push token admits.
     */
    private Reply judgePublisher(HttpExchange exchange, String channelId) {
        Optional<AuthResult> verdict = handler.authorizePublish(exchange.getRequestMethod(),
                exchange.getRequestURI().getRawPath() + (exchange.getRequestURI().getRawQuery() == null ? ""
                        : "?" + exchange.getRequestURI().getRawQuery()), exchange.getRequestHeaders(),
                exchange.getRemoteAddress().getAddress().getHostAddress(), List.of(channelId));
        if (verdict.isEmpty()) {
            return unauthorized();
        }
        if (verdict.get().allowed()) {
            return null;
        }
        return Reply.denial(verdict.get().denial().orElseThrow());
    }

    /** {@code POST /push} ({@code push}) and {@code POST /store}; {@code judge}: a publisher credential to check. */
    private Reply publish(HttpExchange exchange, boolean push, boolean judge) throws IOException {
        String contentType = exchange.getRequestHeaders().getFirst("Content-Type");
        if (!StrictJson.isJsonContentType(contentType)) {
            return Reply.error(415, "Content-Type must be application/json");
        }
        String declaredLength = exchange.getRequestHeaders().getFirst("Content-Length");
        if (declaredLength != null && declaredLength.chars().allMatch(Character::isDigit) && declaredLength.length() < 18
                && Long.parseLong(declaredLength) > maxBodyBytes) {
            return tooLarge();
        }
        byte[] body;
        try (InputStream in = exchange.getRequestBody()) {
            body = in.readNBytes(maxBodyBytes + 1);
        }
        if (body.length > maxBodyBytes) {
            return tooLarge();
        }
        IncomingMessage message;
        try {
            message = PushRequest.parse(body);
        } catch (IllegalArgumentException e) {
            return Reply.error(400, e.getMessage());
        }
        if (message.isBroadcast()) {
            return push ? broadcast(message) : Reply.error(400, "missing field channel_id: /store keeps a channel's "
                    + "history, and broadcasts are never stored (POST /push without channel_id broadcasts)");
        }
        String channelId = message.channelId();
        if (judge) {
            Reply refused = judgePublisher(exchange, channelId);
            if (refused != null) {
                return refused;
            }
        }
        Delivery delivery;
        try {
            // a push reaches whoever is online even when the storage fails; a store is only worth it if stored
            delivery = handler.handle(message, push ? IfStorageFails.DELIVER_UNSTORED : IfStorageFails.THROW);
        } catch (StorageException e) {
            return storageUnavailable(e.getMessage(), e instanceof StorageTimeoutException);
        } catch (IllegalArgumentException e) {
            // the gateway's validation (already logged and counted by it)
            return Reply.error(e instanceof MessageTooLargeException ? 413 : 400, e.getMessage());
        }
        boolean failed = delivery.outcome() == Delivery.Outcome.FAILED || delivery.outcome() == Delivery.Outcome.UNKNOWN;
        if (failed && delivery.localSubscribers() == 0) {
            return storageUnavailable("nobody online here got it either", delivery.outcome() == Delivery.Outcome.UNKNOWN);
        }
        boolean online = connections.channelConnectionCount(channelId) > 0;
        ObjectNode reply = StrictJson.object().put("success", true).put("online", online).put("stream_id", delivery.streamId());
        if (failed) {
            reply.put("warning", delivery.outcome() == Delivery.Outcome.UNKNOWN
                    ? "the storage timed out: delivered to online subscribers; it may or may not be stored"
                    : "storage unavailable: delivered to online subscribers only, not stored");
        }
        if (!push || !online) {
            addElsewhere(reply, channelId);
        }
        return Reply.ok(reply);
    }

    /**
     * {@code POST /push} without a channel: to every connection of this instance, not stored. {@code elsewhere} lists
     * the other live instances, for an agent that broadcasts to all of them.
     */
    private Reply broadcast(IncomingMessage message) {
        Delivery delivery;
        try {
            delivery = handler.handle(message, IfStorageFails.DELIVER_UNSTORED);
        } catch (IllegalArgumentException e) {
            return Reply.error(e instanceof MessageTooLargeException ? 413 : 400, e.getMessage());
        }
        ObjectNode reply = StrictJson.object().put("success", true).put("online", delivery.localSubscribers() > 0)
                .put("stream_id", (String) null).put("sent_count", delivery.localSubscribers());
        try {
            ArrayNode elsewhere = reply.putArray("elsewhere");
            for (ChannelDirectory.Instance instance : directory.instances()) {
                if (!instance.instanceId().equals(connections.instanceId())) {
                    elsewhere.addObject().put("instance_id", instance.instanceId())
                            .put("address", instance.fields().get("address"));
                }
            }
        } catch (RedisException e) {
            reply.remove("elsewhere");
            reply.put("warning", "registry unavailable, other instances were not listed: " + RedisLink.describe(e));
        }
        return Reply.ok(reply);
    }

    /** The storage failed and nobody got the message: 503, so that the agent retries (with the same id: safe). */
    private Reply storageUnavailable(String detail, boolean outcomeUnknown) {
        unavailableLog.warn("Push API: the storage failed (" + detail + ")");
        return Reply.error(503, (outcomeUnknown ? "the storage timed out, the message may or may not be stored: "
                : "storage unavailable, the message was not accepted: ") + detail)
                .with("Retry-After", RETRY_AFTER_SECONDS);
    }

    /** The other instances holding the channel now; a warning instead if the registry cannot say. */
    private void addElsewhere(ObjectNode reply, String channelId) {
        try {
            ArrayNode elsewhere = reply.putArray("elsewhere");
            for (ChannelDirectory.Holder holder : directory.lookup(channelId)) {
                if (!holder.instanceId().equals(connections.instanceId())) {
                    elsewhere.addObject().put("instance_id", holder.instanceId()).put("address", holder.address());
                }
            }
        } catch (RedisException e) {
            reply.remove("elsewhere");
            reply.put("warning", "registry unavailable, other instances were not checked: " + RedisLink.describe(e));
        }
    }

    private Reply tooLarge() {
        return Reply.error(413, "request body is larger than " + maxBodyBytes + " bytes");
    }

    /** {@code GET /channel/{id}}, the id percent-encoded. */
    private Reply channel(String rawId) {
        String channelId;
        try {
            channelId = PercentDecoder.decodePathSegment(rawId);
        } catch (IllegalArgumentException e) {
            return Reply.error(400, "the channel id in the path is " + e.getMessage());
        }
        String problem = ChannelIds.problem(channelId);
        if (problem != null) {
            return Reply.error(400, problem);
        }
        List<ChannelDirectory.Holder> holders;
        String gateway;
        try {
            holders = directory.lookup(channelId);
            gateway = holders.isEmpty() ? null : originalGateway(channelId, holders);
        } catch (RedisException e) {
            return registryUnavailable(e);
        }
        ObjectNode reply = StrictJson.object().put("channel_id", channelId).put("online", !holders.isEmpty())
                .put("gateway", gateway);
        ArrayNode instances = reply.putArray("instances");
        holders.forEach(holder -> instances.addObject().put("instance_id", holder.instanceId()).put("address", holder.address()));
        return Reply.ok(reply);
    }

    /**
     * The original gateway's {@code gateway} field: its {@code channel:<id>:gateway} key when that names a live holder,
     * else the first live holder's address in the same {@code host:port} form.
     */
    private String originalGateway(String channelId, List<ChannelDirectory.Holder> holders) {
        String key = directory.holder(channelId);
        for (ChannelDirectory.Holder holder : holders) {
            if (RegistrySettings.hostAndPort(holder.address()).equals(key)) {
                return key;
            }
        }
        return RegistrySettings.hostAndPort(holders.get(0).address());
    }

    private Reply instances() {
        List<ChannelDirectory.Instance> live;
        try {
            live = directory.instances();
        } catch (RedisException e) {
            return registryUnavailable(e);
        }
        ObjectNode reply = StrictJson.object();
        ArrayNode list = reply.putArray("instances");
        for (ChannelDirectory.Instance instance : live) {
            ObjectNode entry = list.addObject().put("instance_id", instance.instanceId())
                    .put("address", instance.fields().get("address"));
            putNumber(entry, "connections", instance.fields().get("connections"));
            putNumber(entry, "channels", instance.fields().get("channels"));
            putTime(entry, "started_at", instance.fields().get("started_at"));
            putTime(entry, "heartbeat_at", instance.fields().get("heartbeat_at"));
        }
        return Reply.ok(reply);
    }

    /** {@code GET /channels?cursor=…&count=…}. */
    private Reply channels(String rawQuery) {
        QueryParams query;
        try {
            query = QueryParams.parse(rawQuery);
        } catch (IllegalArgumentException e) {
            return Reply.error(400, e.getMessage());
        }
        String cursor = query.first("cursor").orElse("0");
        if (cursor.isEmpty() || cursor.length() > 20 || !cursor.chars().allMatch(c -> c >= '0' && c <= '9')) {
            return Reply.error(400, "cursor must be the cursor of the previous page (a whole number; 0 to start)");
        }
        int count;
        try {
            count = Integer.parseInt(query.first("count").orElse(Integer.toString(DEFAULT_PAGE)));
        } catch (NumberFormatException e) {
            count = -1;
        }
        if (count < 1 || count > MAX_PAGE) {
            return Reply.error(400, "count must be a whole number from 1 to " + MAX_PAGE);
        }
        ChannelDirectory.ChannelPage page;
        try {
            page = directory.channels(cursor, count);
        } catch (UnsupportedOperationException e) {
            return Reply.error(501, e.getMessage());
        } catch (RedisException e) {
            if (e.getMessage() != null && e.getMessage().contains("invalid cursor")) {
                return Reply.error(400, "cursor is not a cursor of a previous page");
            }
            return registryUnavailable(e);
        }
        ObjectNode reply = StrictJson.object();
        ArrayNode list = reply.putArray("channels");
        for (ChannelDirectory.HeldChannel channel : page.channels()) {
            ArrayNode ids = list.addObject().put("channel_id", channel.channelId()).putArray("instances");
            channel.instanceIds().forEach(ids::add);
        }
        reply.put("cursor", page.nextCursor());
        return Reply.ok(reply);
    }

    private Reply registryUnavailable(RedisException e) {
        unavailableLog.warn("Push API: the registry on Redis is unavailable (" + RedisLink.describe(e) + ")");
        return Reply.error(503, "registry unavailable: " + RedisLink.describe(e)).with("Retry-After", RETRY_AFTER_SECONDS);
    }

    private static void send(HttpExchange exchange, Reply reply) throws IOException {
        byte[] bytes = reply.body().getBytes(StandardCharsets.UTF_8);
        exchange.getResponseHeaders().set("Cache-Control", "no-store");
        reply.headers().forEach(exchange.getResponseHeaders()::set);
        exchange.getResponseHeaders().set("Content-Type", reply.contentType());
        exchange.sendResponseHeaders(reply.status(), bytes.length);
        try (OutputStream out = exchange.getResponseBody()) {
            out.write(bytes);
        }
    }

    private static void putNumber(ObjectNode entry, String field, String value) {
        Long number = parseLong(value);
        if (number == null) {
            entry.putNull(field);
        } else {
            entry.put(field, number);
        }
    }

    private static void putTime(ObjectNode entry, String field, String epochMillis) {
        Long millis = parseLong(epochMillis);
        entry.put(field, millis == null ? null : Instant.ofEpochMilli(millis).toString());
    }

    /** A record field written by another instance: a number, or {@code null} if it is missing or garbled. */
    private static Long parseLong(String value) {
        if (value == null) {
            return null;
        }
        try {
            return Long.parseLong(value);
        } catch (NumberFormatException e) {
            return null;
        }
    }
}
