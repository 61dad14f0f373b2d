package io.ssegateway.host.core;

/**
 * JSON text for what a stream writes (envelopes, {@code subscribed} and {@code gap} events), built without Jackson:
 * Jackson keeps a buffer recycler of about 8 KB per thread in a thread local, and a stream's own (virtual) thread
 * lives as long as the connection — 2,000 multi-channel connections held 8 MB of such buffers. Escapes as Jackson does
 * ({@code "}, {@code \}, and control characters; short forms for {@code \b \t \n \f \r}), so the text is the same.
 */
public final class JsonText {

    private static final char[] HEX = "0123456789ABCDEF".toCharArray();

    private JsonText() {
    }

    /** Appends {@code value} as a JSON string, or {@code null}. */
    public static StringBuilder quote(StringBuilder json, String value) {
        if (value == null) {
            return json.append("null");
        }
        json.append('"');
        for (int i = 0; i < value.length(); i++) {
            char c = value.charAt(i);
            switch (c) {
                case '"' -> json.append("\\\"");
                case '\\' -> json.append("\\\\");
                case '\b' -> json.append("\\b");
                case '\t' -> json.append("\\t");
                case '\n' -> json.append("\\n");
                case '\f' -> json.append("\\f");
                case '\r' -> json.append("\\r");
                default -> {
                    if (c < 0x20) {
                        json.append("\\u00").append(HEX[c >> 4]).append(HEX[c & 0xF]);
                    } else {
                        json.append(c);
                    }
                }
            }
        }
        return json.append('"');
    }

    /** {@code {"last_event_id": …, "earliest_id": …}} and, on a multi-channel connection, {@code "channel"} first. */
    public static String gap(String channel, String lastEventId, String earliestId) {
        StringBuilder json = new StringBuilder(96).append('{');
        if (channel != null) {
            quote(json.append("\"channel\":"), channel).append(',');
        }
        quote(json.append("\"last_event_id\":"), lastEventId);
        quote(json.append(",\"earliest_id\":"), earliestId);
        return json.append('}').toString();
    }
}
