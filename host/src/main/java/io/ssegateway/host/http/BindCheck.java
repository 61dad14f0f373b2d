package io.ssegateway.host.http;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.UnknownHostException;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.UnresolvedAddressException;

/** Whether an address can be listened on, found by binding it for a moment, and how start-up says it cannot. */
public final class BindCheck {

    private BindCheck() {
    }

    /**
     * Binds {@code host:port} for a moment (port 0 always can).
     *
     * @throws IllegalStateException {@code cannot listen on <host>:<port>: <cause>} (port in use, no permission,
     *                               unknown host)
     */
    public static void requireBindable(String host, int port) {
        if (port == 0) {
            return;
        }
        try (ServerSocketChannel probe = ServerSocketChannel.open()) {
            probe.bind(new InetSocketAddress(host, port));
        } catch (IOException | RuntimeException e) {
            throw cannotListen(host, port, e instanceof UnresolvedAddressException
                    ? new UnknownHostException(host + " is not a known host or address") : e);
        }
    }

    /** Whether {@code host:port} cannot be bound right now. */
    public static boolean cannotBindNow(String host, int port) {
        try (ServerSocketChannel probe = ServerSocketChannel.open()) {
            probe.bind(new InetSocketAddress(host, port));
            return false;
        } catch (IOException | RuntimeException e) {
            return true;
        }
    }

    /** {@code cannot listen on <host>:<port>: <cause>}: what start-up reports for an address it cannot bind. */
    public static IllegalStateException cannotListen(String host, int port, Throwable cause) {
        return new IllegalStateException("cannot listen on " + host + ":" + port + ": "
                + (cause == null ? "the web server did not start" : describe(cause)), cause);
    }

    /** A throwable's message and type, for one log line. */
    public static String describe(Throwable cause) {
        String message = cause.getMessage();
        return message == null ? cause.getClass().getSimpleName() : message + " (" + cause.getClass().getSimpleName() + ")";
    }
}
