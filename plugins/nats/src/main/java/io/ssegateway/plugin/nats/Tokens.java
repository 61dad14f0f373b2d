package io.ssegateway.plugin.nats;

import java.nio.charset.StandardCharsets;
import java.util.Base64;

/**
 * Reversible encodings of gateway strings into what NATS accepts.
 * <ul>
 *   <li><b>Subject tokens</b> (a channel id in {@code <prefix>.<token>}): a channel id made only of ASCII letters,
 *       digits, {@code -} and {@code _} is its own token; any other ({@code .}, {@code *}, {@code >}, spaces,
 *       non-ASCII, {@code ~}...) becomes {@code ~} followed by its UTF-8 bytes in unpadded base64url. No plain token
 *       starts with {@code ~}, so the two forms never collide.</li>
 *   <li><b>Header values</b> (event type, business id): printable ASCII without spaces that does not start with
 *       {@code ~} is kept as is; anything else is {@code ~} + base64url, because NATS headers carry ASCII only.</li>
 * </ul>
 */
final class Tokens {

    private static final char ENCODED = '~';
    private static final Base64.Encoder ENCODER = Base64.getUrlEncoder().withoutPadding();
    private static final Base64.Decoder DECODER = Base64.getUrlDecoder();

    private Tokens() {
    }

    /** The subject token of a channel id. */
    static String subjectToken(String channelId) {
        return isPlainToken(channelId) ? channelId : encoded(channelId);
    }

    /** The channel id of a subject token, or {@code null} if the token is not one {@link #subjectToken} makes. */
    static String channelOf(String token) {
        if (token.isEmpty()) {
            return null;
        }
        if (token.charAt(0) == ENCODED) {
            String decoded = decoded(token);
            return decoded == null || isPlainToken(decoded) ? null : decoded;
        }
        return isPlainToken(token) ? token : null;
    }

    /** A header value for {@code text}. */
    static String headerValue(String text) {
        return isPlainHeaderValue(text) ? text : encoded(text);
    }

    /** The text of a header value; {@code null} if it is not one {@link #headerValue} makes. */
    static String fromHeaderValue(String value) {
        if (!value.isEmpty() && value.charAt(0) == ENCODED) {
            return decoded(value);
        }
        return value;
    }

    private static String encoded(String text) {
        return ENCODED + ENCODER.encodeToString(text.getBytes(StandardCharsets.UTF_8));
    }

    private static String decoded(String value) {
        try {
            byte[] bytes = DECODER.decode(value.substring(1));
            String text = new String(bytes, StandardCharsets.UTF_8);
            // a round trip proves the bytes were well-formed UTF-8 (a malformed sequence decodes to U+FFFD)
            return ENCODER.encodeToString(text.getBytes(StandardCharsets.UTF_8)).equals(value.substring(1)) ? text : null;
        } catch (IllegalArgumentException notBase64) {
            return null;
        }
    }

    private static boolean isPlainToken(String text) {
        if (text.isEmpty()) {
            return false;
        }
        for (int i = 0; i < text.length(); i++) {
            char c = text.charAt(i);
            boolean plain = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '-' || c == '_';
            if (!plain) {
                return false;
            }
        }
        return true;
    }

    private static boolean isPlainHeaderValue(String text) {
        if (text.isEmpty() || text.charAt(0) == ENCODED) {
            return false;
        }
        for (int i = 0; i < text.length(); i++) {
            char c = text.charAt(i);
            if (c <= ' ' || c > '~') {
                return false;
            }
        }
        return true;
    }
}
