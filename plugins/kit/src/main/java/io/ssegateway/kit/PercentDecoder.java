package io.ssegateway.kit;

import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;

/**
 * Strict percent-decoding of URL parts as UTF-8. Unlike {@link java.net.URLDecoder}, which throws on some malformed
 * escapes and silently replaces invalid UTF-8 with U+FFFD, every defect is an {@link IllegalArgumentException} that
 * says what is wrong (a 400 for the client, never a crash and never a silently altered value): a {@code %} not followed
 * by two hex digits, escaped bytes that are not UTF-8 (overlong forms, surrogates, truncated sequences), or a lone
 * surrogate in the raw text. Messages describe the defect without echoing the input (it may be long or binary);
 * callers say which part of the request it was.
 */
public final class PercentDecoder {

    private PercentDecoder() {
    }

    /** Decodes a path segment: {@code %XX} escapes; a {@code +} stays a plus sign. */
    public static String decodePathSegment(String raw) {
        return decode(raw, false);
    }

    /** Decodes a name or a value of a query string ({@code application/x-www-form-urlencoded}): {@code +} is a space. */
    public static String decodeQueryComponent(String raw) {
        return decode(raw, true);
    }

    private static String decode(String raw, boolean plusIsSpace) {
        if (!Unicode.isWellFormed(raw)) {
            throw new IllegalArgumentException("not valid Unicode (half of a surrogate pair)");
        }
        if (raw.indexOf('%') < 0 && !(plusIsSpace && raw.indexOf('+') >= 0)) {
            return raw;
        }
        byte[] bytes = new byte[raw.length() * 3];
        int length = 0;
        for (int i = 0; i < raw.length(); i++) {
            char c = raw.charAt(i);
            if (c == '%') {
                int high = i + 1 < raw.length() ? Character.digit(raw.charAt(i + 1), 16) : -1;
                int low = i + 2 < raw.length() ? Character.digit(raw.charAt(i + 2), 16) : -1;
                if (high < 0 || low < 0) {
                    throw new IllegalArgumentException("not correctly percent-encoded: the '%' at position " + i
                            + " is not followed by two hex digits");
                }
                bytes[length++] = (byte) (high << 4 | low);
                i += 2;
            } else if (c < 0x80) {
                bytes[length++] = (byte) (plusIsSpace && c == '+' ? ' ' : c);
            } else {
                // a literal non-ASCII character (a lenient client): its UTF-8 bytes
                int codePoint = raw.codePointAt(i);
                byte[] encoded = new String(Character.toChars(codePoint)).getBytes(StandardCharsets.UTF_8);
                System.arraycopy(encoded, 0, bytes, length, encoded.length);
                length += encoded.length;
                i += Character.charCount(codePoint) - 1;
            }
        }
        try {
            return StandardCharsets.UTF_8.newDecoder()
                    .onMalformedInput(CodingErrorAction.REPORT)
                    .onUnmappableCharacter(CodingErrorAction.REPORT)
                    .decode(ByteBuffer.wrap(bytes, 0, length))
                    .toString();
        } catch (CharacterCodingException e) {
            throw new IllegalArgumentException("not correctly percent-encoded: the escaped bytes are not UTF-8");
        }
    }
}
