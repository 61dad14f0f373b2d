package io.ssegateway.host.http;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.InetAddress;
import java.net.ServerSocket;
import org.junit.jupiter.api.Test;

/** The caps derived from the open-files limit, and the bind check start-up runs before loading plugins. */
class ListenerLimitsTest {

    @Test
    void theTcpCapKeepsFileDescriptorsBackAndStreamsStayBelowIt() {
        assertEquals(512, ListenerLimits.defaultMaxTcpConnections(1024), "half of a small limit is kept back");
        assertEquals(19_488, ListenerLimits.defaultMaxTcpConnections(20_000), "at most 512 are kept back");
        assertEquals(16, ListenerLimits.defaultMaxTcpConnections(20), "never below 16");
        assertEquals(10_000, ListenerLimits.defaultMaxTcpConnections(-1), "an unknown limit");
        assertEquals(384, ListenerLimits.defaultMaxConnections(512), "a quarter left for other requests");
        assertEquals(19_232, ListenerLimits.defaultMaxConnections(19_488), "at most 256 left for other requests");
        assertEquals(1, ListenerLimits.defaultMaxConnections(1));
    }

    @Test
    void aTakenPortOrAnUnknownHostCannotBeListenedOn() throws Exception {
        try (ServerSocket taken = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            int port = taken.getLocalPort();
            assertTrue(BindCheck.cannotBindNow("127.0.0.1", port));
            IllegalStateException e = assertThrows(IllegalStateException.class,
                    () -> BindCheck.requireBindable("127.0.0.1", port));
            assertTrue(e.getMessage().startsWith("cannot listen on 127.0.0.1:" + port + ": "), e.getMessage());
        }
        IllegalStateException unknown = assertThrows(IllegalStateException.class,
                () -> BindCheck.requireBindable("no-such-host.invalid", 8080));
        assertTrue(unknown.getMessage().contains("no-such-host.invalid is not a known host or address"), unknown.getMessage());
        BindCheck.requireBindable("127.0.0.1", 0);
        assertFalse(BindCheck.cannotBindNow("127.0.0.1", 0));
    }
}
