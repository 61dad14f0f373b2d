package io.ssegateway.bench;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.InetSocketAddress;
import java.util.Set;
import org.junit.jupiter.api.Test;

/** How the subscribe and publish templates expand, and which option sets are refused. */
class EndpointsTest {

    private static final InetSocketAddress OWN = new InetSocketAddress("127.0.0.1", 8080);
    private static final Set<String> NAMES = Set.of("subscribe-url", "publish-url", "publish-body",
            "publish-content-type", "publish-header");

    private static Endpoints endpoints(String... args) {
        return Endpoints.from(new Options(args, 0, NAMES, Set.of()), OWN);
    }

    private static Endpoints nchan(String... more) {
        String[] base = {"--subscribe-url", "http://127.0.0.1:18283/sub/{channel}",
                "--publish-url", "http://127.0.0.1:18284/pub?id={channel}"};
        String[] all = new String[base.length + more.length];
        System.arraycopy(base, 0, all, 0, base.length);
        System.arraycopy(more, 0, all, base.length, more.length);
        return endpoints(all);
    }

    @Test
    void withoutTemplatesTheGatewaysOwnApiIsUsed() {
        Endpoints own = endpoints();
        assertTrue(own.own);
        assertEquals(OWN, own.subscribeAddress);
        assertEquals(OWN, own.publishAddress);
        assertEquals("/sse/connect?channel_id=c-1", Endpoints.subscribePath(own.subscribePath, "c-1", null));
        assertEquals("/api/send", own.publishPath("c-1"));
        assertEquals("{\"channel_id\":\"c-1\",\"event_type\":\"bench\",\"data\":{\"s\":1}}", own.publishBody("c-1", "{\"s\":1}"));
        assertEquals("application/json", own.contentType);
        assertEquals("", own.publishHeaders);
    }

    @Test
    void urlTemplatesGiveEachSideItsOwnAddressAndPath() {
        Endpoints peer = nchan("--publish-body", "{data}");
        assertFalse(peer.own);
        assertEquals(new InetSocketAddress("127.0.0.1", 18283), peer.subscribeAddress);
        assertEquals(new InetSocketAddress("127.0.0.1", 18284), peer.publishAddress);
        assertEquals("/sub/fanout-x", Endpoints.subscribePath(peer.subscribePath, "fanout-x", null));
        assertEquals("/pub?id=fanout-x", peer.publishPath("fanout-x"));
        assertEquals("{\"s\":7,\"p\":\"xx\"}", peer.publishBody("fanout-x", "{\"s\":7,\"p\":\"xx\"}"));
    }

    @Test
    void theChannelIsUrlEncodedInUrlsAndLeftAsIsInTheBody() {
        Endpoints peer = nchan("--publish-body", "{\"channel\":\"{channel}\",\"d\":{data}}");
        assertEquals("/sub/a+b%2Fc", Endpoints.subscribePath(peer.subscribePath, "a b/c", null));
        assertEquals("/pub?id=a+b%2Fc", peer.publishPath("a b/c"));
        assertEquals("{\"channel\":\"a b/c\",\"d\":1}", peer.publishBody("a b/c", "1"));
    }

    @Test
    void dataJsonIsTheDataEscapedForTheInsideOfAJsonString() {
        Endpoints peer = nchan("--publish-body", "{\"text\":\"{data-json}\",\"raw\":{data}}");
        assertEquals("{\"text\":\"{\\\"s\\\":1,\\\"p\\\":\\\"a\\\\b\\\"}\",\"raw\":{\"s\":1,\"p\":\"a\\b\"}}",
                peer.publishBody("c", "{\"s\":1,\"p\":\"a\\b\"}"));
        assertEquals("line\\none\\ttab\\u0001", Endpoints.jsonEscaped("line\none\ttab\u0001"));
    }

    @Test
    void headersAndContentTypeAreSentAsGiven() {
        Endpoints peer = nchan("--publish-content-type", "text/plain", "--publish-header", "Authorization: Bearer t",
                "--publish-header", "X-Extra: 1 ");
        assertEquals("text/plain", peer.contentType);
        assertEquals("Authorization: Bearer t\r\nX-Extra: 1\r\n", peer.publishHeaders);
    }

    @Test
    void severalChannelsOnOneConnectionRepeatTheChannelsQueryParameter() {
        assertEquals("/sse/connect?channel_id=a&channel_id=b&channel_id=c&x=1",
                Endpoints.subscribePath("/sse/connect?channel_id={channel}&x=1", "a|b|c", null));
        assertEquals("/s?x=1&ch=a&ch=b", Endpoints.subscribePath("/s?x=1&ch={channel}", "a|b", null));
        assertThrows(IllegalArgumentException.class, () -> Endpoints.subscribePath("/sub/{channel}", "a|b", null));
    }

    @Test
    void aFirstLastEventIdIsAddedAsAQueryParameter() {
        assertEquals("/sse/connect?channel_id=a&last_event_id=earliest",
                Endpoints.subscribePath(Endpoints.OWN_SUBSCRIBE_PATH, "a", "earliest"));
        assertEquals("/sub/a?last_event_id=earliest", Endpoints.subscribePath("/sub/{channel}", "a", "earliest"));
    }

    @Test
    void aUrlWithoutPortIsPort80AndWithoutPathIsTheRoot() {
        assertEquals(new InetSocketAddress("localhost", 80), Endpoints.address("http://localhost"));
        assertEquals("/", Endpoints.pathOf("http://localhost"));
    }

    @Test
    void incompleteOrUnsupportedTemplatesAreRefused() {
        assertThrows(IllegalArgumentException.class,
                () -> endpoints("--subscribe-url", "http://127.0.0.1:1/sub/{channel}"));
        assertThrows(IllegalArgumentException.class, () -> endpoints("--publish-body", "{data}"));
        assertThrows(IllegalArgumentException.class, () -> endpoints("--subscribe-url", "https://h/sub/{channel}",
                "--publish-url", "https://h/pub?id={channel}"));
        assertThrows(IllegalArgumentException.class, () -> endpoints("--subscribe-url", "http://h:1/sub",
                "--publish-url", "http://h:1/pub?id={channel}"));
        assertThrows(IllegalArgumentException.class, () -> endpoints("--subscribe-url", "http://h:1/sub/{channel}",
                "--publish-url", "http://h:1/pub", "--publish-body", "{data}"));
        assertThrows(IllegalArgumentException.class, () -> nchan("--publish-header", "no colon"));
        assertThrows(IllegalArgumentException.class, () -> endpoints("--subscribe-url", "http://h:x/sub/{channel}",
                "--publish-url", "http://h:1/pub?id={channel}"));
    }
}
