package io.ssegateway.bench;

import java.net.InetSocketAddress;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Where and how the load generator subscribes and publishes: the gateway's own API by default, or any SSE server's
 * through templates, so that the same scenarios can measure a peer side by side.
 * <pre>
 * --subscribe-url 'http://127.0.0.1:8081/sub/{channel}'         GET, answered with text/event-stream
 * --publish-url   'http://127.0.0.1:8081/pub?id={channel}'      POST
 * --publish-body  '{data}'                                      (default: the gateway's /api/send JSON)
 * --publish-content-type 'application/json'                     (the default)
 * --publish-header 'Authorization: Bearer …'                    repeatable
 * </pre>
 * Placeholders: {@code {channel}} (URL-encoded in URLs, as is in the body), {@code {data}} the event data as it
 * must arrive ({@code {"s":…,"t":…,"p":"…"}}), {@code {data-json}} the same escaped for the inside of a JSON string
 * (without the quotes). Several channels on one connection (our {@code idle --channels-per-connection}) repeat the
 * query parameter whose value is {@code {channel}}.
 */
final class Endpoints {

    static final String OWN_SUBSCRIBE_PATH = "/sse/connect?channel_id={channel}";
    static final String OWN_PUBLISH_PATH = "/api/send";
    static final String OWN_BODY = "{\"channel_id\":\"{channel}\",\"event_type\":\"bench\",\"data\":{data}}";
    static final String JSON = "application/json";

    private static final Pattern CHANNEL_PARAMETER = Pattern.compile("([?&])([^?&=]+)=\\{channel\\}");

    /** Whether these are the gateway's own endpoints (so its {@code /api/stats} and {@code /metrics} are there). */
    final boolean own;
    final InetSocketAddress subscribeAddress;
    /** Path and query of the subscribe request, with {@code {channel}}. */
    final String subscribePath;
    final InetSocketAddress publishAddress;
    final String publishPath;
    final String body;
    final String contentType;
    /** Extra request header lines of a publish, each ending in CRLF. */
    final String publishHeaders;

    private Endpoints(boolean own, InetSocketAddress subscribeAddress, String subscribePath,
                      InetSocketAddress publishAddress, String publishPath, String body, String contentType,
                      String publishHeaders) {
        this.own = own;
        this.subscribeAddress = subscribeAddress;
        this.subscribePath = subscribePath;
        this.publishAddress = publishAddress;
        this.publishPath = publishPath;
        this.body = body;
        this.contentType = contentType;
        this.publishHeaders = publishHeaders;
    }

    /**
     * The endpoints of the options: both URLs, or neither (the gateway at {@code own}, its admin token sent with each
     * publish by the connection itself).
     */
    static Endpoints from(Options options, InetSocketAddress own) {
        String subscribe = options.get("subscribe-url", null);
        String publish = options.get("publish-url", null);
        if (subscribe == null && publish == null) {
            for (String name : List.of("publish-body", "publish-content-type", "publish-header")) {
                if (!options.getAll(name).isEmpty()) {
                    throw new IllegalArgumentException("--" + name + " needs --subscribe-url and --publish-url");
                }
            }
            return new Endpoints(true, own, OWN_SUBSCRIBE_PATH, own, OWN_PUBLISH_PATH, OWN_BODY, JSON, "");
        }
        if (subscribe == null || publish == null) {
            throw new IllegalArgumentException("--subscribe-url and --publish-url go together");
        }
        String body = options.get("publish-body", OWN_BODY);
        if (!subscribe.contains("{channel}") || !publish.contains("{channel}") && !body.contains("{channel}")) {
            throw new IllegalArgumentException("the subscribe URL, and the publish URL or body, need {channel}");
        }
        StringBuilder headers = new StringBuilder();
        for (String header : options.getAll("publish-header")) {
            if (header.indexOf(':') <= 0 || header.contains("\r") || header.contains("\n")) {
                throw new IllegalArgumentException("--publish-header takes one 'Name: value' line, not '" + header
                        + "'");
            }
            headers.append(header.strip()).append("\r\n");
        }
        return new Endpoints(false, address(subscribe), pathOf(subscribe), address(publish), pathOf(publish), body,
                options.get("publish-content-type", JSON), headers.toString());
    }

    /**
     * The subscribe request's path for {@code channels} ({@code a|b|c}: several on one connection), or with a
     * {@code last_event_id} query parameter when {@code initialLastEventId} is not null.
     */
    static String subscribePath(String template, String channels, String initialLastEventId) {
        String[] names = channels.split("\\|");
        String path;
        if (names.length == 1) {
            path = template.replace("{channel}", encode(names[0]));
        } else {
            Matcher parameter = CHANNEL_PARAMETER.matcher(template);
            if (!parameter.find()) {
                throw new IllegalArgumentException("several channels on one connection need {channel} as a query"
                        + " parameter's value in the subscribe URL: " + template);
            }
            StringBuilder repeated = new StringBuilder(parameter.group(1));
            for (int i = 0; i < names.length; i++) {
                repeated.append(i == 0 ? "" : "&").append(parameter.group(2)).append('=').append(encode(names[i]));
            }
            path = template.substring(0, parameter.start()) + repeated + template.substring(parameter.end());
        }
        if (initialLastEventId != null) {
            path += (path.indexOf('?') < 0 ? "?" : "&") + "last_event_id=" + encode(initialLastEventId);
        }
        return path;
    }

    String publishPath(String channel) {
        return publishPath.replace("{channel}", encode(channel));
    }

    /** The publish body for {@code channel} whose event data is {@code data}. */
    String publishBody(String channel, String data) {
        return body.replace("{channel}", channel).replace("{data-json}", jsonEscaped(data)).replace("{data}", data);
    }

    /** Path and query of an {@code http://host[:port]/…} URL. */
    static String pathOf(String url) {
        String rest = url.substring(schemeEnd(url));
        int slash = rest.indexOf('/');
        return slash < 0 ? "/" : rest.substring(slash);
    }

    static InetSocketAddress address(String url) {
        String rest = url.substring(schemeEnd(url));
        int slash = rest.indexOf('/');
        String authority = slash < 0 ? rest : rest.substring(0, slash);
        int colon = authority.lastIndexOf(':');
        if (authority.isEmpty() || authority.startsWith("[") || authority.contains("{")) {
            throw new IllegalArgumentException("expected http://host[:port]/…, got '" + url + "'");
        }
        try {
            String host = colon < 0 ? authority : authority.substring(0, colon);
            return new InetSocketAddress(host, colon < 0 ? 80 : Integer.parseInt(authority.substring(colon + 1)));
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("bad port in '" + url + "'");
        }
    }

    private static int schemeEnd(String url) {
        if (!url.startsWith("http://")) {
            throw new IllegalArgumentException("only plain http:// URLs are supported (the raw HTTP/1.1 client), not '"
                    + url + "'");
        }
        return "http://".length();
    }

    private static String encode(String value) {
        return URLEncoder.encode(value, StandardCharsets.UTF_8);
    }

    /** {@code value} escaped for the inside of a JSON string: backslash, quote and control characters. */
    static String jsonEscaped(String value) {
        StringBuilder out = new StringBuilder(value.length() + 16);
        for (int i = 0; i < value.length(); i++) {
            char c = value.charAt(i);
            switch (c) {
                case '"' -> out.append("\\\"");
                case '\\' -> out.append("\\\\");
                case '\n' -> out.append("\\n");
                case '\r' -> out.append("\\r");
                case '\t' -> out.append("\\t");
                default -> {
                    if (c < 0x20) {
                        out.append(String.format("\\u%04x", (int) c));
                    } else {
                        out.append(c);
                    }
                }
            }
        }
        return out.toString();
    }
}
