package io.ssegateway.kit;

import java.nio.charset.StandardCharsets;

/** Checks on Java strings (UTF-16) for text that must go out as UTF-8. */
public final class Unicode {

    private Unicode() {
    }

    /**
     * Whether {@code text} is well-formed UTF-16: every surrogate is half of a pair. A lone surrogate has no UTF-8
     * form, so a string holding one cannot be written to the wire or to a store as it is.
     */
    public static boolean isWellFormed(CharSequence text) {
        for (int i = 0; i < text.length(); i++) {
            char c = text.charAt(i);
            if (Character.isHighSurrogate(c)) {
                if (i + 1 == text.length() || !Character.isLowSurrogate(text.charAt(i + 1))) {
                    return false;
                }
                i++;
            } else if (Character.isLowSurrogate(c)) {
                return false;
            }
        }
        return true;
    }

    /**
     * Whether well-formed {@code text} takes more than {@code limit} bytes in UTF-8, without encoding it when the
     * answer is obvious from its length (a char takes 1 to 3 bytes).
     */
    public static boolean utf8LengthExceeds(String text, int limit) {
        if ((long) text.length() * 3 <= limit) {
            return false;
        }
        if (text.length() > limit) {
            return true;
        }
        return text.getBytes(StandardCharsets.UTF_8).length > limit;
    }
}
