package io.ssegateway.host.testkit;

import java.net.Inet4Address;
import java.net.InetAddress;
import java.net.NetworkInterface;
import java.net.SocketException;
import java.util.Collections;

/** Addresses of this machine, for tests of what listens where. */
public final class Addresses {

    private Addresses() {
    }

    /** An IPv4 address of this machine that is not loopback (the CI machines have one on eth0). */
    public static InetAddress nonLoopback() throws SocketException {
        for (NetworkInterface nic : Collections.list(NetworkInterface.getNetworkInterfaces())) {
            if (nic.isUp() && !nic.isLoopback()) {
                for (InetAddress address : Collections.list(nic.getInetAddresses())) {
                    if (address instanceof Inet4Address) {
                        return address;
                    }
                }
            }
        }
        throw new AssertionError("this test needs a non-loopback IPv4 address on the machine");
    }
}
