package io.ssegateway.host.launcher;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.ssegateway.host.config.GatewayConfig;
import io.ssegateway.host.core.ConfigurationException;
import io.ssegateway.host.core.LogContext;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.logging.Level;
import java.util.logging.LogRecord;
import org.junit.jupiter.api.Test;

/** {@code GATEWAY_LOG_FORMAT=json}: what one line holds, and what the format key accepts. */
class JsonLogFormatterTest {

    private static final ObjectMapper JSON = new ObjectMapper();

    @Test
    void aRecordIsOneJsonLineWithItsContextAndException() throws Exception {
        LogRecord record = new LogRecord(Level.WARNING, "Replay for channel ''{0}'' failed");
        record.setLoggerName("io.ssegateway.host.sse.ConnectionWriter");
        record.setParameters(new Object[] {"room\n1"});
        record.setThrown(new IllegalStateException("storage down"));
        JsonLogFormatter.instanceId("gw-1");
        LogContext.set("conn-7", "room-1");
        String line;
        try {
            line = new JsonLogFormatter().format(record);
        } finally {
            LogContext.clear();
            JsonLogFormatter.instanceId(null);
        }
        assertTrue(line.endsWith(System.lineSeparator()));
        assertEquals(1, line.strip().lines().count(), "one line: " + line);
        JsonNode json = JSON.readTree(line);
        assertEquals("WARNING", json.get("level").asText());
        assertEquals("io.ssegateway.host.sse.ConnectionWriter", json.get("logger").asText());
        assertEquals("Replay for channel 'room\n1' failed", json.get("message").asText());
        assertEquals("gw-1", json.get("instance_id").asText());
        assertEquals("conn-7", json.get("connection_id").asText());
        assertEquals("room-1", json.get("channel_id").asText());
        assertTrue(json.get("exception").asText().startsWith("java.lang.IllegalStateException: storage down"));
        assertTrue(json.get("time").asText().endsWith("Z"), json.get("time").asText());
    }

    @Test
    void mapParametersAreFields() throws Exception {
        Map<String, Object> fields = new LinkedHashMap<>();
        fields.put("event", "sse_disconnect");
        fields.put("events_sent", 12L);
        fields.put("subject", null);
        LogRecord record = new LogRecord(Level.INFO, "SSE disconnect {0} events_sent=12");
        record.setLoggerName("io.ssegateway.access");
        record.setParameters(new Object[] {fields});
        JsonNode json = JSON.readTree(new JsonLogFormatter().format(record));
        assertEquals("SSE disconnect {0} events_sent=12", json.get("message").asText(), "not a placeholder");
        assertEquals(12, json.get("events_sent").asInt());
        assertTrue(json.get("events_sent").isNumber());
        assertTrue(json.get("subject").isNull());
        assertFalse(json.has("connection_id"), "no connection outside a connection's thread");
    }

    @Test
    void theFormatKeyAcceptsTextAndJsonOnly() {
        Path none = Path.of("no-such-application.yaml");
        LogFormat.apply(GatewayConfig.load(none, Map.of("GATEWAY_LOG_FORMAT", "TEXT")).node("gateway.log"));
        ConfigurationException e = assertThrows(ConfigurationException.class, () -> LogFormat.apply(
                GatewayConfig.load(none, Map.of("GATEWAY_LOG_FORMAT", "xml")).node("gateway.log")));
        assertEquals("configuration key gateway.log.format: 'xml' is not a log format (text or json)", e.getMessage());
    }
}
