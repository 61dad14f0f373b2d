package io.ssegateway.host.admin;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.ssegateway.host.testkit.Gateways;
import io.ssegateway.host.testkit.Http;
import io.ssegateway.host.testkit.TestGateways;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * {@code /api/send} reads its body with the kit's strict JSON: what it accepts it can store and send on unchanged.
 * Each body here was accepted once (the last duplicate key winning, a lone surrogate delivered as {@code ?}, a huge
 * exponent stored as {@code "Infinity"}).
 */
class StrictSendTest {

    @RegisterExtension
    final Gateways gateways = new Gateways();

    @Test
    void everyAmbiguousOrUnrepresentableBodyIsA400() {
        int port = gateways.start(TestGateways.builder()).port();
        String[][] cases = {
                {"{\"channel_id\":\"\\ud800\",\"event_type\":\"t\",\"data\":1}", "surrogate"},
                {"{\"channel_id\":\"c\",\"event_type\":\"\\udc00x\",\"data\":1}", "surrogate"},
                {"{\"channel_id\":\"c\",\"event_type\":\"t\",\"data\":1,\"id\":\"a\\ud800\"}", "surrogate"},
                {"{\"channel_id\":\"c\",\"event_type\":\"t\",\"data\":\"\\ud800\"}", "surrogate"},
                {"{\"channel_id\":\"c\",\"event_type\":\"t\",\"data\":1} garbage", "malformed JSON"},
                {"{\"channel_id\":\"c\",\"event_type\":\"t\",\"data\":1}{\"channel_id\":\"d\"}", "malformed JSON"},
                {"{\"channel_id\":\"c\",\"channel_id\":\"d\",\"event_type\":\"t\",\"data\":1}", "Duplicate field"},
                {"{\"channel_id\":\"c\",\"event_type\":\"t\",\"data\":{\"a\":1,\"a\":2}}", "Duplicate field"},
                {"{\"channel_id\":\"c\",\"event_type\":\"t\",\"data\":1e999999999}", "out of range"},
                {"{\"channel_id\":\"c\",\"event_type\":\"t\",\"data\":[-1e400]}", "out of range"},
                {"{\"channel_id\":\"c\",\"event_type\":\"t\",\"data\":NaN}", "malformed JSON"},
        };
        for (String[] c : cases) {
            Http.Response response = Http.postJson(port, "/api/send", c[0]);
            assertEquals(400, response.status(), c[0] + " → " + response.body());
            assertTrue(response.json().get("error").asText().contains(c[1]), c[0] + " → " + response.body());
        }
        assertEquals(0, Http.get(port, "/api/stats").json().get("messages_published").asLong());
        // a proper pair is fine
        assertEquals(200, Http.postJson(port, "/api/send",
                "{\"channel_id\":\"c\\ud83d\\ude00\",\"event_type\":\"t\",\"data\":1.5e300}").status());
    }
}
