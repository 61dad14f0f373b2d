package io.ssegateway.host;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.ssegateway.host.testkit.Http;
import io.ssegateway.host.testkit.Metrics;
import io.ssegateway.host.testkit.TestGateways;
import java.net.BindException;
import java.net.InetAddress;
import java.net.ServerSocket;
import org.junit.jupiter.api.Test;

/** What an embedding application sees of the listener: a bind failure is an exception, a live one says so. */
class GatewayStartTest {

    @Test
    void aPortThatCannotBeBoundMakesStartThrowNamingTheAddressAndTheCause() throws Exception {
        try (ServerSocket taken = new ServerSocket(0, 50, InetAddress.getLoopbackAddress())) {
            Gateway gateway = TestGateways.builder().port(taken.getLocalPort()).build();
            IllegalStateException e = assertThrows(IllegalStateException.class, gateway::start);
            assertEquals("cannot listen on 127.0.0.1:" + taken.getLocalPort()
                    + ": Address already in use (BindException)", e.getMessage());
            assertTrue(e.getCause() instanceof BindException, String.valueOf(e.getCause()));
            // start() stopped what it had started: a later stop() returns at once
            gateway.stop();
        }
    }

    @Test
    void theListenAddressCanBeCheckedBeforeBuilding() throws Exception {
        try (ServerSocket taken = new ServerSocket(0, 50, InetAddress.getLoopbackAddress())) {
            IllegalStateException e = assertThrows(IllegalStateException.class,
                    () -> Gateway.builder().host("127.0.0.1").port(taken.getLocalPort()).checkListenAddress());
            assertEquals("cannot listen on 127.0.0.1:" + taken.getLocalPort()
                    + ": Address already in use (BindException)", e.getMessage());
        }
        IllegalStateException unknown = assertThrows(IllegalStateException.class,
                () -> Gateway.builder().host("no-such-host.invalid").port(18999).checkListenAddress());
        assertTrue(unknown.getMessage().startsWith("cannot listen on no-such-host.invalid:18999: "
                + "no-such-host.invalid is not a known host or address"), unknown.getMessage());
        // port 0 always can; the check binds nothing that stays
        Gateway.builder().port(0).checkListenAddress();
    }

    @Test
    void aRunningGatewayReportsItsListenerAliveAndItsLimits() {
        Gateway gateway = TestGateways.builder().maxTcpConnections(300).build().start();
        try {
            assertTrue(gateway.listenerFailure().isEmpty());
            assertEquals("OK", Http.get(gateway.port(), "/health").body());
            String metrics = Http.get(gateway.port(), "/metrics").body();
            assertEquals(300.0, Metrics.value(metrics, "sse_tcp_connections_max"), metrics);
            assertEquals(300, Http.get(gateway.port(), "/api/stats?limit=0").json().get("max_tcp_connections").asInt());
        } finally {
            gateway.stop();
        }
    }
}
