package io.ssegateway.host.http;

import io.helidon.http.HeaderName;
import io.helidon.http.HeaderNames;
import io.helidon.webserver.http.ServerRequest;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * Who the client of a request is, for the per-address limit, {@code AuthRequest.clientIp()}, {@code ConnectionInfo}
 * and the stats: the socket peer, unless the peer is a trusted proxy ({@code gateway.trusted-proxies}); then the
 * right-most address of {@code Forwarded} (or, without it, {@code X-Forwarded-For}) that is not a trusted proxy.
 * Entries left of that one were written by whoever sent the request and prove nothing. With no trusted proxy (the
 * default) the forwarding headers are ignored.
 */
public final class ClientAddress {

    private static final HeaderName FORWARDED = HeaderNames.create("Forwarded");

    private final List<Cidr> trustedProxies;

    public ClientAddress(List<Cidr> trustedProxies) {
        this.trustedProxies = List.copyOf(trustedProxies);
    }

    /** The client address of {@code request}, as text (an IP address, without brackets or port). */
    public String of(ServerRequest request) {
        SocketAddress peer = request.remotePeer().address();
        if (trustedProxies.isEmpty()) {
            return text(peer);
        }
        return resolve(peer, request.headers().all(FORWARDED, List::of),
                request.headers().all(HeaderNames.X_FORWARDED_FOR, List::of));
    }

    /**
     * The client: walking from the socket peer leftwards through the forwarded chain, the first address that is not a
     * trusted proxy. An entry that is not an IP address ends the walk at the last trusted hop: a trusted proxy always
     * appends the address it saw, so anything else came from the client.
     */
    String resolve(SocketAddress peer, List<String> forwarded, List<String> xForwardedFor) {
        if (!(peer instanceof InetSocketAddress inet) || inet.getAddress() == null || !isTrusted(inet.getAddress())) {
            return text(peer);
        }
        List<String> chain = forwarded.isEmpty() ? split(xForwardedFor) : forwardedFor(forwarded);
        InetAddress client = inet.getAddress();
        for (int i = chain.size() - 1; i >= 0; i--) {
            InetAddress hop = IpLiterals.parse(chain.get(i));
            if (hop == null) {
                break;
            }
            client = hop;
            if (!isTrusted(hop)) {
                break;
            }
        }
        return client.getHostAddress();
    }

    private boolean isTrusted(InetAddress address) {
        for (Cidr proxy : trustedProxies) {
            if (proxy.contains(address)) {
                return true;
            }
        }
        return false;
    }

    private static List<String> split(List<String> values) {
        List<String> entries = new ArrayList<>();
        for (String value : values) {
            for (String entry : value.split(",")) {
                entries.add(entry.trim());
            }
        }
        return entries;
    }

    /** The {@code for=} values of RFC 7239 {@code Forwarded} headers, in order; a port is dropped. */
    private static List<String> forwardedFor(List<String> values) {
        List<String> entries = new ArrayList<>();
        for (String element : split(values)) {
            String node = "";
            for (String pair : element.split(";")) {
                int equals = pair.indexOf('=');
                if (equals > 0 && pair.substring(0, equals).trim().toLowerCase(Locale.ROOT).equals("for")) {
                    node = pair.substring(equals + 1).trim();
                }
            }
            entries.add(withoutPort(unquote(node)));
        }
        return entries;
    }

    private static String unquote(String value) {
        return value.length() >= 2 && value.startsWith("\"") && value.endsWith("\"")
                ? value.substring(1, value.length() - 1) : value;
    }

    /** {@code [2001:db8::1]:4711} → {@code [2001:db8::1]}; {@code 192.0.2.43:47011} → {@code 192.0.2.43}. */
    private static String withoutPort(String node) {
        if (node.startsWith("[")) {
            int close = node.indexOf(']');
            return close < 0 ? node : node.substring(0, close + 1);
        }
        int colon = node.indexOf(':');
        return colon >= 0 && node.indexOf(':', colon + 1) < 0 ? node.substring(0, colon) : node;
    }

    /** A socket address as text: the IP address, without the port. */
    public static String text(SocketAddress peer) {
        if (peer instanceof InetSocketAddress inet && inet.getAddress() != null) {
            return inet.getAddress().getHostAddress();
        }
        return String.valueOf(peer);
    }
}
