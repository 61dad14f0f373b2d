package io.ssegateway.host.http;

import java.lang.management.ManagementFactory;

/**
 * The listener's connection caps derived from the process's open-files limit: enough file descriptors are kept back
 * for everything else (plugins, storage clients, log files) that the accept loop never meets {@code EMFILE}, and the
 * event streams stay below the TCP cap so that {@code /health} and the admin API remain reachable.
 */
public final class ListenerLimits {

    private ListenerLimits() {
    }

    /** The open-files limit of this process, or -1 if the platform does not say. */
    public static long openFilesLimit() {
        if (ManagementFactory.getOperatingSystemMXBean() instanceof com.sun.management.UnixOperatingSystemMXBean unix) {
            return unix.getMaxFileDescriptorCount();
        }
        return -1;
    }

    /** File descriptors kept back from the listener: half of the limit, at most 512. */
    public static long fileReserve(long openFilesLimit) {
        return Math.min(512, openFilesLimit / 2);
    }

    /** The open-files limit less {@link #fileReserve}; 10,000 where the limit is unknown. */
    public static int defaultMaxTcpConnections(long openFilesLimit) {
        if (openFilesLimit <= 0) {
            return 10_000;
        }
        return (int) Math.max(16, Math.min(Integer.MAX_VALUE, openFilesLimit - fileReserve(openFilesLimit)));
    }

    /** {@code maxTcpConnections} less a headroom for non-streaming requests: a quarter of it, at most 256. */
    public static int defaultMaxConnections(int maxTcpConnections) {
        return Math.max(1, maxTcpConnections - Math.min(256, maxTcpConnections / 4));
    }
}
