package io.ssegateway.host.admin;

import java.util.Locale;
import java.util.regex.Pattern;

/** Whether a {@code Host} header names this machine's loopback interface: {@code localhost}, 127.x.y.z, {@code [::1]}. */
final class LoopbackHost {

    private static final Pattern HOST = Pattern.compile(
            "(localhost|127\\.\\d{1,3}\\.\\d{1,3}\\.\\d{1,3}|\\[(0{0,4}:){2,7}0{0,3}1\\]|\\[::1\\])(:\\d{1,5})?");

    private LoopbackHost() {
    }

    /** @param host the {@code Host} header's value, {@code null} if absent (never loopback) */
    static boolean is(String host) {
        return host != null && HOST.matcher(host.trim().toLowerCase(Locale.ROOT)).matches();
    }
}
