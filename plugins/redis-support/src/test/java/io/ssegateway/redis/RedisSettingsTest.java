package io.ssegateway.redis;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.lettuce.core.RedisCredentials;
import io.ssegateway.spi.PluginConfig;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.Test;

class RedisSettingsTest {

    private static RedisSettings settings(Map<String, String> values) {
        return RedisSettings.from(PluginConfig.of("gateway.source.x", values), "redis-url");
    }

    private static String error(Map<String, String> values) {
        return assertThrows(IllegalArgumentException.class, () -> settings(values)).getMessage();
    }

    @Test
    void defaults() {
        RedisSettings settings = settings(Map.of());
        assertEquals("localhost", settings.uri().getHost());
        assertEquals(6379, settings.uri().getPort());
        assertEquals(Duration.ofSeconds(2), settings.timeout());
        assertEquals(Duration.ofSeconds(2), settings.uri().getTimeout(), "Lettuce's command timeout");
        assertEquals(Duration.ofSeconds(3), settings.reconnectMaxDelay());
    }

    @Test
    void theUrlKeyIsTheCallersAndErrorsNameItInFull() {
        RedisSettings settings = settings(Map.of("redis-url", " redis://cache:6380/4 ", "timeout", "750ms",
                "reconnect-max-delay", "100ms"));
        assertEquals("cache", settings.uri().getHost());
        assertEquals(4, settings.uri().getDatabase());
        assertEquals(Duration.ofMillis(750), settings.timeout());
        assertEquals(Duration.ofMillis(100), settings.reconnectMaxDelay());

        assertTrue(error(Map.of("redis-url", "")).contains("gateway.source.x.redis-url must not be empty"));
        assertTrue(error(Map.of("redis-url", "http://cache:6379")).contains("gateway.source.x.redis-url: 'http://cache:6379' is not a Redis URL"));
        assertTrue(error(Map.of("redis-url", "redis://cache:6379/x")).contains("is not a valid Redis URL"));
        assertTrue(error(Map.of("timeout", "0s")).contains("gateway.source.x.timeout must be positive"));
        assertTrue(error(Map.of("reconnect-max-delay", "99ms")).contains("gateway.source.x.reconnect-max-delay must be at least 100ms"));
    }

    @Test
    void severalNodesNameACluster_withTheClusterKeyLayout() {
        RedisSettings cluster = settings(Map.of("redis-url", "redis://:secret@a:7000, b:7001/0"));
        assertTrue(cluster.isCluster());
        assertFalse(cluster.isSentinel());
        assertEquals(KeyLayout.CLUSTER, cluster.keyLayout());
        assertEquals(2, cluster.clusterNodes().size());
        assertEquals("b", cluster.clusterNodes().get(1).getHost());
        assertEquals(7001, cluster.clusterNodes().get(1).getPort());
        assertEquals("secret", new String(cluster.clusterNodes().get(1).getCredentialsProvider().resolveCredentials()
                .block().getPassword()), "every seed node gets the credentials");
        assertFalse(cluster.display().contains("secret"));
        assertEquals(Duration.ofSeconds(2), cluster.clusterRefreshPeriod());
        assertTrue(cluster.sameServer(settings(Map.of("redis-url", "redis://b:7001,a:7000"))), "the same seed nodes");
        assertFalse(cluster.sameServer(settings(Map.of("redis-url", "redis://a:7000"))));

        String layout = error(Map.of("redis-url", "redis://a:7000,b:7001", "key-layout", "single"));
        assertTrue(layout.contains("gateway.source.x.key-layout is single") && layout.contains("use key-layout cluster"),
                layout);
        assertTrue(error(Map.of("redis-url", "redis://a:7000,b:7001/2")).contains("which has only database 0"));
        assertTrue(error(Map.of("redis-url", "redis://a:7000,,b:7001")).contains("has an empty node"));
        assertTrue(error(Map.of("redis-url", "redis://a:7000,redis://b:7001")).contains("repeats the scheme"));
        assertTrue(error(Map.of("key-layout", "sharded")).contains("'sharded' is not a key layout"));
        assertTrue(error(Map.of("cluster-refresh-period", "50ms")).contains("cluster-refresh-period must be at least 100ms"));
    }

    @Test
    void aSingleServerKeepsTheSingleLayoutUnlessTold() {
        assertEquals(KeyLayout.SINGLE, settings(Map.of()).keyLayout());
        assertFalse(settings(Map.of()).isCluster());
        assertEquals(KeyLayout.CLUSTER, settings(Map.of("key-layout", "cluster")).keyLayout());
        RedisSettings sentinel = settings(Map.of("redis-url", "redis-sentinel://s1:26379,s2:26380/0#mymaster"));
        assertEquals("mymaster", sentinel.uri().getSentinelMasterId());
        assertEquals(2, sentinel.uri().getSentinels().size());
        assertTrue(sentinel.isSentinel());
        assertFalse(sentinel.isCluster());
        assertEquals(KeyLayout.SINGLE, sentinel.keyLayout());
    }

    @Test
    void keyLayouts() {
        assertEquals("sse:stream:orders", KeyLayout.SINGLE.key("sse:", "stream:", "orders"), "today's keys");
        assertEquals("sse:ids:a{b}", KeyLayout.SINGLE.key("sse:", "ids:", "a{b}"));
        assertEquals("sse:stream:{orders}", KeyLayout.CLUSTER.key("sse:", "stream:", "orders"));
        assertEquals("sse:ids:{a{b}}", KeyLayout.CLUSTER.key("sse:", "ids:", "a{b}"));
        String refused = assertThrows(IllegalArgumentException.class, () -> KeyLayout.CLUSTER.key("sse:", "ids:", "}x"))
                .getMessage();
        assertTrue(refused.contains("starts with '}'"), refused);
    }

    @Test
    void tlsUrlsAreAccepted() {
        RedisSettings tls = settings(Map.of("redis-url", "rediss://:pw@cache.example:6380/1"));
        assertTrue(tls.uri().isSsl());
        assertEquals(6380, tls.uri().getPort());
    }

    @Test
    void passwordsGoToLettuceButNeverShow() {
        String message = error(Map.of("redis-url", "redis://user:s3cret@cache:6379/x"));
        assertFalse(message.contains("s3cret"), message);
        assertTrue(message.contains("redis://user:***@cache:6379/x"), message);
        RedisSettings settings = settings(Map.of("redis-url", "redis://user:s3cret@cache:6379/2"));
        assertFalse(settings.display().contains("s3cret"), settings.display());
        RedisCredentials credentials = settings.uri().getCredentialsProvider().resolveCredentials().block();
        assertEquals("user", credentials.getUsername());
        assertEquals("s3cret", new String(credentials.getPassword()));
        assertEquals("redis://:***@h", RedisSettings.redact("redis://s3cret@h"));
        assertEquals("redis://h:6379", RedisSettings.redact("redis://h:6379"));
        assertEquals("no-scheme@h", RedisSettings.redact("no-scheme@h"));
    }

    @Test
    void sameServerComparesHostPortDatabaseAndMaster() {
        RedisSettings base = settings(Map.of("redis-url", "redis://Cache:6379/1"));
        assertTrue(base.sameServer(settings(Map.of("redis-url", "redis://cache:6379/1", "timeout", "9s"))));
        assertFalse(base.sameServer(settings(Map.of("redis-url", "redis://cache:6379/2"))));
        assertFalse(base.sameServer(settings(Map.of("redis-url", "redis://cache:6380/1"))));
        assertFalse(base.sameServer(settings(Map.of("redis-url", "redis://other:6379/1"))));
        RedisSettings sentinels = settings(Map.of("redis-url", "redis-sentinel://s1:26379,s2:26380#m"));
        assertTrue(sentinels.sameServer(settings(Map.of("redis-url", "redis-sentinel://s2:26380,s1:26379#m"))));
        assertFalse(sentinels.sameServer(settings(Map.of("redis-url", "redis-sentinel://s2:26380,s1:26379#other"))));
    }
}
