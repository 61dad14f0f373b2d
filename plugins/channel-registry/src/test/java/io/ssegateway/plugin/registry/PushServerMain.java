package io.ssegateway.plugin.registry;

import java.nio.charset.StandardCharsets;
import java.time.Duration;

/**
 * A push server alone in a process, for {@link PushServerFileLimitTest}: {@code PushServerMain <max-connections>
 * <header-timeout-ms>}; answers every request {@code 200 ok}, prints {@code listening <port>}, serves until killed.
 */
public final class PushServerMain {

    private PushServerMain() {
    }

    public static void main(String[] args) throws Exception {
        byte[] ok = "ok".getBytes(StandardCharsets.US_ASCII);
        PushServer server = PushServer.start("127.0.0.1", 0, exchange -> {
            try (exchange) {
                exchange.sendResponseHeaders(200, ok.length);
                exchange.getResponseBody().write(ok);
            }
        }, "push-port", new PushServer.Limits(Integer.parseInt(args[0]), Duration.ofMillis(Long.parseLong(args[1])),
                Duration.ofSeconds(30), Duration.ofSeconds(60)));
        // as the gateway does long before any flood: its first log line loads what logging needs (time zones)
        java.util.logging.Logger.getLogger(PushServerMain.class.getName()).info("push API on port " + server.port());
        System.out.println("listening " + server.port());
        Thread.sleep(Long.MAX_VALUE);
    }
}
