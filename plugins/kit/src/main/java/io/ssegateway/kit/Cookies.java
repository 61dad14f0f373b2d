package io.ssegateway.kit;

import java.util.List;
import java.util.Optional;

/** Reads a cookie from the {@code Cookie} request header(s) ({@code name=value; other=…}, RFC 6265 §5.4). */
public final class Cookies {

    private Cookies() {
    }

    /**
     * The value of the first cookie named {@code name} (case-sensitive), without the optional double quotes around it.
     *
     * @param cookieHeaders every value of the {@code Cookie} header; none if it is absent
     */
    public static Optional<String> value(List<String> cookieHeaders, String name) {
        for (String header : cookieHeaders) {
            for (String pair : header.split(";")) {
                int equals = pair.indexOf('=');
                if (equals > 0 && pair.substring(0, equals).trim().equals(name)) {
                    String value = pair.substring(equals + 1).trim();
                    if (value.length() >= 2 && value.startsWith("\"") && value.endsWith("\"")) {
                        value = value.substring(1, value.length() - 1);
                    }
                    return Optional.of(value);
                }
            }
        }
        return Optional.empty();
    }
}
