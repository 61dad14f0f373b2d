package io.ssegateway.plugin.registry;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpHandler;
import io.lettuce.core.RedisException;
import io.ssegateway.spi.ConnectionManager;
import io.ssegateway.spi.RateLimitedLog;
import io.ssegateway.spi.source.IncomingMessage;
import io.ssegateway.spi.source.MessageHandler;
import io.ssegateway.spi.source.MessageTooLargeException;
import io.ssegateway.spi.storage.StorageException;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * The push API that agents call on the instance holding a channel:
 * <pre>
 * POST /push              store the message once and deliver it to this instance's subscribers of the channel
 *                         → {"success": true, "online": &lt;subscribers here&gt;, "stream_id": "…"}
 * POST /store             the same for a user who is offline: store (delivered here too if someone is, so that no
 *                         subscriber ever skips it) → {"success": true, "online": …, "stream_id": "…", "elsewhere": […]}
 * GET  /channel/{id}      → {"channel_id": "…", "online": …, "instances": [{"instance_id", "address"}]}
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
 */
final class PushApi implements HttpHandler {

    private static final Logger LOG = Logger.getLogger(PushApi.class.getName());
    private static final int MAX_ID_BYTES = 256;
    private static final int DEFAULT_PAGE = 100;
    private static final int MAX_PAGE = 1000;
    private static final String RETRY_AFTER_SECONDS = "1";

    private final MessageHandler handler;
    private final ConnectionManager connections;
    private final ChannelDirectory directory;
    private final byte[] pushToken;
    private final int maxBodyBytes;
    private final String tokenKey;
    private final RateLimitedLog unavailableLog = new RateLimitedLog(LOG, Duration.ofSeconds(10));

    PushApi(MessageHandler handler, ConnectionManager connections, ChannelDirectory directory, RegistrySettings settings) {
        this.handler = handler;
        this.connections = connections;
        this.directory = directory;
        this.pushToken = settings.pushToken() == null ? null : settings.pushToken().getBytes(StandardCharsets.UTF_8);
        this.maxBodyBytes = settings.maxBodyBytes();
        this.tokenKey = settings.keyOf("push-token");
    }

    /** A reply not yet sent: status, JSON body, extra headers. */
    private record Reply(int status, ObjectNode body, Map<String, String> headers) {
        static Reply ok(ObjectNode body) {
            return new Reply(200, body, Map.of());
        }

        static Reply error(int status, String message) {
            return new Reply(status, object().put("error", message), Map.of());
        }

        Reply with(String header, String value) {
            Map<String, String> more = new HashMap<>(headers);
            more.put(header, value);
            return new Reply(status, body, more);
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
        if (!authorized(exchange)) {
            return Reply.error(401, "missing or wrong push token (Authorization: Bearer <" + tokenKey + ">)")
                    .with("WWW-Authenticate", "Bearer realm=\"sse-gateway push\"");
        }
        String path = exchange.getRequestURI().getRawPath();
        String method = exchange.getRequestMethod();
        if (path.equals("/push") || path.equals("/store")) {
            if (!method.equals("POST")) {
                return methodNotAllowed("POST");
            }
            return publish(exchange, path.equals("/push"));
        }
        if (path.startsWith("/channel/")) {
            if (!method.equals("GET")) {
                return methodNotAllowed("GET");
            }
            return channel(path.substring("/channel/".length()));
        }
        if (path.equals("/instances")) {
            return method.equals("GET") ? instances() : methodNotAllowed("GET");
        }
        if (path.equals("/channels")) {
            return method.equals("GET") ? channels(exchange.getRequestURI().getRawQuery()) : methodNotAllowed("GET");
        }
        return Reply.error(404, "no route for " + method + " " + path
                + " (POST /push, POST /store, GET /channel/{id}, GET /instances, GET /channels)");
    }

    private static Reply methodNotAllowed(String allowed) {
        return Reply.error(405, "method not allowed, use " + allowed).with("Allow", allowed);
    }

    private boolean authorized(HttpExchange exchange) {
        if (pushToken == null) {
            return true;
        }
        String header = exchange.getRequestHeaders().getFirst("Authorization");
        if (header == null || !header.regionMatches(true, 0, "Bearer ", 0, 7)) {
            return false;
        }
        return MessageDigest.isEqual(pushToken, header.substring(7).trim().getBytes(StandardCharsets.UTF_8));
    }

    /** {@code POST /push} ({@code push}) and {@code POST /store}. */
    private Reply publish(HttpExchange exchange, boolean push) throws IOException {
        String contentType = exchange.getRequestHeaders().getFirst("Content-Type");
        if (!isJson(contentType)) {
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
        String channelId = message.channelId();
        String streamId;
        try {
            streamId = handler.handle(message);
        } catch (StorageException e) {
            return storageUnavailable(message, push, e);
        } catch (IllegalArgumentException e) {
            // the gateway's validation (already logged and counted by it)
            return Reply.error(e instanceof MessageTooLargeException ? 413 : 400, e.getMessage());
        }
        boolean online = connections.channelConnectionCount(channelId) > 0;
        ObjectNode reply = object().put("success", true).put("online", online).put("stream_id", streamId);
        if (!push || !online) {
            addElsewhere(reply, channelId);
        }
        return Reply.ok(reply);
    }

    /**
     * The storage failed, nothing was delivered. Like {@code /api/send}: whoever is online here still gets a pushed
     * message, without an id (it cannot be replayed); otherwise the message is refused with 503 so that the agent
     * retries.
     */
    private Reply storageUnavailable(IncomingMessage message, boolean push, StorageException e) {
        unavailableLog.warn("Push API: the storage failed (" + e.getMessage() + ")");
        if (push && connections.channelConnectionCount(message.channelId()) > 0) {
            handler.deliverWithoutStoring(message);
            return Reply.ok(object().put("success", true).put("online", true).putNull("stream_id")
                    .put("warning", "storage unavailable: delivered to online subscribers only, not stored"));
        }
        return Reply.error(503, "storage unavailable, the message was not accepted: " + e.getMessage())
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
            channelId = URLDecoder.decode(rawId.replace("+", "%2B"), StandardCharsets.UTF_8);
        } catch (IllegalArgumentException e) {
            return Reply.error(400, "the channel id is not correctly percent-encoded");
        }
        String problem = channelIdProblem(channelId);
        if (problem != null) {
            return Reply.error(400, problem);
        }
        List<ChannelDirectory.Holder> holders;
        try {
            holders = directory.lookup(channelId);
        } catch (RedisException e) {
            return registryUnavailable(e);
        }
        ObjectNode reply = object().put("channel_id", channelId).put("online", !holders.isEmpty());
        ArrayNode instances = reply.putArray("instances");
        holders.forEach(holder -> instances.addObject().put("instance_id", holder.instanceId()).put("address", holder.address()));
        return Reply.ok(reply);
    }

    private Reply instances() {
        List<ChannelDirectory.Instance> live;
        try {
            live = directory.instances();
        } catch (RedisException e) {
            return registryUnavailable(e);
        }
        ObjectNode reply = object();
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
        Map<String, String> query = parseQuery(rawQuery);
        String cursor = query.getOrDefault("cursor", "0");
        if (cursor.isEmpty() || cursor.length() > 20 || !cursor.chars().allMatch(c -> c >= '0' && c <= '9')) {
            return Reply.error(400, "cursor must be the cursor of the previous page (a whole number; 0 to start)");
        }
        int count;
        try {
            count = Integer.parseInt(query.getOrDefault("count", Integer.toString(DEFAULT_PAGE)));
        } catch (NumberFormatException e) {
            count = -1;
        }
        if (count < 1 || count > MAX_PAGE) {
            return Reply.error(400, "count must be a whole number from 1 to " + MAX_PAGE);
        }
        ChannelDirectory.ChannelPage page;
        try {
            page = directory.channels(cursor, count);
        } catch (RedisException e) {
            if (e.getMessage() != null && e.getMessage().contains("invalid cursor")) {
                return Reply.error(400, "cursor is not a cursor of a previous page");
            }
            return registryUnavailable(e);
        }
        ObjectNode reply = object();
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
        byte[] bytes = reply.body().toString().getBytes(StandardCharsets.UTF_8);
        exchange.getResponseHeaders().set("Content-Type", "application/json");
        exchange.getResponseHeaders().set("Cache-Control", "no-store");
        reply.headers().forEach(exchange.getResponseHeaders()::set);
        exchange.sendResponseHeaders(reply.status(), bytes.length);
        try (OutputStream out = exchange.getResponseBody()) {
            out.write(bytes);
        }
    }

    private static ObjectNode object() {
        return PushRequest.JSON.createObjectNode();
    }

    private static boolean isJson(String contentType) {
        if (contentType == null) {
            return false;
        }
        int semicolon = contentType.indexOf(';');
        String mediaType = (semicolon < 0 ? contentType : contentType.substring(0, semicolon)).trim().toLowerCase(Locale.ROOT);
        return mediaType.equals("application/json") || mediaType.startsWith("application/") && mediaType.endsWith("+json");
    }

    /** Why a channel id is unacceptable (the gateway's rule: 1 to 256 bytes of UTF-8, no control characters), or null. */
    static String channelIdProblem(String channelId) {
        if (channelId.isEmpty()) {
            return "the channel id must not be empty";
        }
        if (channelId.chars().anyMatch(Character::isISOControl)) {
            return "the channel id must not contain control characters";
        }
        if (channelId.getBytes(StandardCharsets.UTF_8).length > MAX_ID_BYTES) {
            return "the channel id is longer than " + MAX_ID_BYTES + " bytes";
        }
        return null;
    }

    private static Map<String, String> parseQuery(String rawQuery) {
        Map<String, String> values = new HashMap<>();
        if (rawQuery == null || rawQuery.isEmpty()) {
            return values;
        }
        for (String pair : rawQuery.split("&")) {
            int equals = pair.indexOf('=');
            String name = equals < 0 ? pair : pair.substring(0, equals);
            String value = equals < 0 ? "" : pair.substring(equals + 1);
            try {
                values.putIfAbsent(URLDecoder.decode(name, StandardCharsets.UTF_8), URLDecoder.decode(value, StandardCharsets.UTF_8));
            } catch (IllegalArgumentException malformed) {
                values.putIfAbsent(name, value);
            }
        }
        return values;
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
