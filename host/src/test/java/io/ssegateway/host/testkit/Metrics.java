package io.ssegateway.host.testkit;

import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** Reads samples from a gateway's {@code /metrics} (Prometheus text: values are printed as doubles, {@code 1.0}). */
public final class Metrics {

    private Metrics() {
    }

    /** The value of {@code series} (its name and labels as printed, {@code a_total{reason="x"}}) on the gateway at {@code port}. */
    public static double value(int port, String series) {
        return value(Http.get(port, "/metrics").body(), series);
    }

    /** The value of {@code series} in a scrape, failing if there is no such sample. */
    public static double value(String text, String series) {
        Matcher matcher = Pattern.compile("(?m)^" + Pattern.quote(series) + " (\\S+)").matcher(text);
        if (!matcher.find()) {
            throw new AssertionError("no sample " + series + " in\n" + text);
        }
        return Double.parseDouble(matcher.group(1));
    }
}
