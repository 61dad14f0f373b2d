package io.ssegateway.plugin.nats;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.nats.client.api.StorageType;
import io.ssegateway.spi.PluginConfig;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class NatsSettingsTest {

    private static NatsSettings settings(String... pairs) {
        Map<String, String> values = new java.util.HashMap<>();
        for (int i = 0; i < pairs.length; i += 2) {
            values.put(pairs[i], pairs[i + 1]);
        }
        return NatsSettings.from(PluginConfig.of("gateway.storage.nats", values));
    }

    private static String refusal(String... pairs) {
        return assertThrows(IllegalArgumentException.class, () -> settings(pairs)).getMessage();
    }

    @Test
    void defaults() {
        NatsSettings settings = settings();
        assertEquals(List.of("nats://localhost:4222"), settings.servers());
        assertEquals("SSE", settings.stream());
        assertEquals("sse", settings.subjectPrefix());
        assertEquals(1000, settings.maxMsgsPerSubject());
        assertEquals(Duration.ofHours(1), settings.maxAge());
        assertEquals(Duration.ofMinutes(2), settings.duplicateWindow());
        assertEquals(1, settings.replicas());
        assertEquals(StorageType.File, settings.storageType());
    }

    @Test
    void severalServersAndHiddenPasswords() {
        NatsSettings settings = settings("url", "nats://u:secret@a:4222, tls://b:4223");
        assertEquals(List.of("nats://u:secret@a:4222", "tls://b:4223"), settings.servers());
        assertFalse(settings.display().contains("secret"), settings.display());
        assertTrue(settings.display().contains("a:4222"));
    }

    @Test
    void badValuesAreRefusedNamingTheKey() {
        assertTrue(refusal("url", "redis://x:1").contains("gateway.storage.nats.url"));
        assertTrue(refusal("url", " , ").contains("gateway.storage.nats.url"));
        assertTrue(refusal("stream", "a.b").contains("gateway.storage.nats.stream"));
        assertTrue(refusal("subject-prefix", "sse.*").contains("gateway.storage.nats.subject-prefix"));
        assertTrue(refusal("subject-prefix", "a..b").contains("gateway.storage.nats.subject-prefix"));
        assertTrue(refusal("max-msgs-per-subject", "0").contains("gateway.storage.nats.max-msgs-per-subject"));
        assertTrue(refusal("max-age", "0s").contains("gateway.storage.nats.max-age"));
        assertTrue(refusal("max-age", "1m", "duplicate-window", "5m").contains("gateway.storage.nats.duplicate-window"));
        assertTrue(refusal("replicas", "7").contains("gateway.storage.nats.replicas"));
        assertTrue(refusal("storage", "disk").contains("gateway.storage.nats.storage"));
    }

    @Test
    void aShortMaxAgeShortensTheDefaultDuplicateWindow() {
        assertEquals(Duration.ofSeconds(30), settings("max-age", "30s").duplicateWindow());
    }

    @Test
    void theSourceRefusesABroadcastSubjectInsideTheStream() {
        String message = assertThrows(IllegalArgumentException.class, () -> new NatsSource.Factory()
                .create(PluginConfig.of("gateway.source.nats", Map.of("broadcast-subject", "sse.all")))).getMessage();
        assertTrue(message.contains("gateway.source.nats.broadcast-subject"), message);
    }

    @Test
    void bothFactoriesTakeNatsUrl() {
        assertEquals(Map.of("NATS_URL", "url"), new NatsSource.Factory().environmentAliases());
        assertEquals(Map.of("NATS_URL", "url"), new NatsStreamStorage.Factory().environmentAliases());
    }
}
