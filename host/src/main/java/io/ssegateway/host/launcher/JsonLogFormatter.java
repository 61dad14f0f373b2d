package io.ssegateway.host.launcher;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;
import io.ssegateway.host.core.LogContext;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.io.UncheckedIOException;
import java.time.Instant;
import java.util.Map;
import java.util.logging.Formatter;
import java.util.logging.Level;
import java.util.logging.LogRecord;

/**
 * {@code GATEWAY_LOG_FORMAT=json}: one JSON object per line for log pipelines — {@code time} (ISO-8601, UTC),
 * {@code level}, {@code logger}, {@code message}, {@code thread}, {@code exception} (the stack trace, if any),
 * {@code instance_id}, and {@code connection_id} / {@code channel_id} when the thread serves an SSE connection
 * ({@link LogContext}). A record whose only parameter is a {@code Map} (the access log) adds its entries as fields.
 * Usable from {@code logging.properties} too ({@code java.util.logging.ConsoleHandler.formatter=…JsonLogFormatter}).
 */
public final class JsonLogFormatter extends Formatter {

    private static final JsonFactory JSON = new JsonFactory();
    private static volatile String instanceId;

    /** The instance id every line carries, once the gateway is built. */
    static void instanceId(String id) {
        instanceId = id;
    }

    @Override
    public String format(LogRecord record) {
        StringWriter out = new StringWriter(256);
        try (JsonGenerator json = JSON.createGenerator(out)) {
            json.writeStartObject();
            json.writeStringField("time", Instant.ofEpochMilli(record.getMillis()).toString());
            json.writeStringField("level", record.getLevel().getName());
            json.writeStringField("logger", record.getLoggerName());
            json.writeStringField("message", formatMessage(record));
            json.writeStringField("thread", Thread.currentThread().getName());
            if (instanceId != null) {
                json.writeStringField("instance_id", instanceId);
            }
            LogContext.Ids ids = LogContext.current();
            if (ids != null) {
                json.writeStringField("connection_id", ids.connectionId());
                json.writeStringField("channel_id", ids.channelId());
            }
            Object[] parameters = record.getParameters();
            if (parameters != null && parameters.length == 1 && parameters[0] instanceof Map<?, ?> fields) {
                for (Map.Entry<?, ?> field : fields.entrySet()) {
                    json.writeFieldName(String.valueOf(field.getKey()));
                    if (field.getValue() instanceof Number number) {
                        json.writeNumber(number.longValue());
                    } else {
                        json.writeString(field.getValue() == null ? null : String.valueOf(field.getValue()));
                    }
                }
            }
            if (record.getThrown() != null) {
                StringWriter trace = new StringWriter();
                record.getThrown().printStackTrace(new PrintWriter(trace));
                json.writeStringField("exception", trace.toString());
            }
            json.writeEndObject();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return out.append(System.lineSeparator()).toString();
    }

    /** A record formatted without a logger, for what the launcher says before logging is set up. */
    static String line(Level level, String logger, String message) {
        LogRecord record = new LogRecord(level, message);
        record.setLoggerName(logger);
        return new JsonLogFormatter().format(record);
    }

    /** Map parameters are fields, not {@code {0}} placeholders: leave such messages as they are. */
    @Override
    public String formatMessage(LogRecord record) {
        Object[] parameters = record.getParameters();
        if (parameters != null && parameters.length == 1 && parameters[0] instanceof Map) {
            return record.getMessage();
        }
        return super.formatMessage(record);
    }
}
