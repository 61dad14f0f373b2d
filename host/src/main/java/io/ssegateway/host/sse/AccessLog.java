package io.ssegateway.host.sse;

import io.ssegateway.spi.lifecycle.ConnectionInfo;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.logging.Level;
import java.util.logging.LogRecord;
import java.util.logging.Logger;

/**
 * {@code gateway.access-log}: one INFO line per SSE connect and disconnect on the logger {@code io.ssegateway.access}
 * (channel, client, subject, connection id; on disconnect the duration, events sent and close reason). The values are
 * also the record's fields, which the JSON log format writes as JSON fields.
 */
final class AccessLog {

    static final Logger LOG = Logger.getLogger("io.ssegateway.access");

    private final boolean enabled;

    AccessLog(boolean enabled) {
        this.enabled = enabled;
    }

    void connected(ConnectionInfo info) {
        if (enabled) {
            log("connect", fields(info));
        }
    }

    void disconnected(ConnectionInfo info, Duration duration, long eventsSent, String closeReason) {
        if (enabled) {
            Map<String, Object> fields = fields(info);
            fields.put("duration_ms", duration.toMillis());
            fields.put("events_sent", eventsSent);
            fields.put("close_reason", closeReason);
            log("disconnect", fields);
        }
    }

    private static Map<String, Object> fields(ConnectionInfo info) {
        Map<String, Object> fields = new LinkedHashMap<>();
        fields.put("event", null);
        fields.put("channel", String.join(",", info.channelIds()));
        fields.put("client", info.clientIp());
        fields.put("subject", info.subject());
        fields.put("connection", info.connectionId());
        return fields;
    }

    private static void log(String event, Map<String, Object> fields) {
        fields.put("event", "sse_" + event);
        StringBuilder text = new StringBuilder("SSE ").append(event);
        fields.forEach((key, value) -> {
            if (!key.equals("event") && value != null) {
                text.append(' ').append(key).append('=').append(value);
            }
        });
        LogRecord record = new LogRecord(Level.INFO, text.toString());
        record.setLoggerName(LOG.getName());
        record.setParameters(new Object[] {fields});
        LOG.log(record);
    }
}
