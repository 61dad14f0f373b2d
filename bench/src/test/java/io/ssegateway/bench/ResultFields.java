package io.ssegateway.bench;

import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** Reads a top-level field of a scenario's result line (a string, number or boolean), failing if it is missing. */
final class ResultFields {

    private ResultFields() {
    }

    static String field(String json, String key) {
        Matcher m = Pattern.compile("\"" + key + "\":(\"[^\"]*\"|[-\\d.]+|true|false)").matcher(json);
        assertTrue(m.find(), key + " missing in " + json);
        return m.group(1);
    }
}
