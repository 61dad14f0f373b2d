package io.ssegateway.spi;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;

class PluginConfigTest {

    private final PluginConfig config = PluginConfig.of("gateway.source.demo", Map.of(
            "url", "redis://localhost:6379",
            "pool.size", "8",
            "big", "1_000_000",
            "enabled", "yes",
            "timeout", "250ms",
            "hosts", "a, b,,c",
            "topics.0", "t1",
            "topics.1", "t2",
            "blank", "  "));

    @Test
    void typedGettersParseAndDefault() {
        assertEquals(Optional.of("redis://localhost:6379"), config.get("url"));
        assertEquals("fallback", config.get("missing", "fallback"));
        assertEquals(8, config.getInt("pool.size", 1));
        assertEquals(8, config.node("pool").getInt("size", 1));
        assertEquals(1_000_000L, config.getLong("big", 0));
        assertEquals(3, config.getInt("missing", 3));
        assertTrue(config.getBoolean("enabled", false));
        assertFalse(config.getBoolean("missing", false));
        assertEquals(Duration.ofMillis(250), config.getDuration("timeout", Duration.ZERO));
        assertEquals(List.of("a", "b", "c"), config.getList("hosts"));
        assertEquals(List.of("t1", "t2"), config.getList("topics"));
        assertEquals(List.of(), config.getList("missing"));
        assertEquals(7, config.getInt("blank", 7));
    }

    @Test
    void durationsInEveryAcceptedForm() {
        assertEquals(Duration.ofSeconds(30), PluginConfig.parseDuration("30s"));
        assertEquals(Duration.ofSeconds(30), PluginConfig.parseDuration("30"));
        assertEquals(Duration.ofSeconds(30), PluginConfig.parseDuration("PT30S"));
        assertEquals(Duration.ofSeconds(30), PluginConfig.parseDuration("pt30s"));
        assertEquals(Duration.ofMinutes(5), PluginConfig.parseDuration("5m"));
        assertEquals(Duration.ofHours(1), PluginConfig.parseDuration(" 1h "));
        assertEquals(Duration.ofDays(2), PluginConfig.parseDuration("2d"));
        assertThrows(IllegalArgumentException.class, () -> PluginConfig.parseDuration("-5s"));
        assertThrows(IllegalArgumentException.class, () -> PluginConfig.parseDuration("soon"));
    }

    @Test
    void errorsNameTheFullKey() {
        PluginConfig bad = PluginConfig.of("gateway.source.demo", Map.of("n", "many", "flag", "maybe", "d", "later"));
        assertMessage(() -> bad.getInt("n", 0), "gateway.source.demo.n", "'many' is not a whole number");
        assertMessage(() -> bad.getBoolean("flag", false), "gateway.source.demo.flag", "not a boolean");
        assertMessage(() -> bad.getDuration("d", Duration.ZERO), "gateway.source.demo.d", "not a duration");
        assertMessage(() -> bad.require("url"), "gateway.source.demo.url", "missing required");
        assertMessage(() -> PluginConfig.of("x", Map.of("n", "99999999999")).getInt("n", 0), "x.n", "out of range");
        assertEquals("gateway.source.demo.pool.size", config.node("pool").keyOf("size"));
    }

    private static void assertMessage(org.junit.jupiter.api.function.Executable call, String... fragments) {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, call);
        for (String fragment : fragments) {
            assertTrue(e.getMessage().contains(fragment), "'" + e.getMessage() + "' lacks '" + fragment + "'");
        }
    }
}
