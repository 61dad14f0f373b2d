package io.ssegateway.plugin.gcp;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.pubsub.v1.TopicName;
import io.ssegateway.spi.CancellationSignal;
import io.ssegateway.spi.PluginConfig;
import io.ssegateway.spi.source.Delivery;
import io.ssegateway.spi.source.IfStorageFails;
import io.ssegateway.spi.source.IncomingMessage;
import io.ssegateway.spi.source.MessageHandler;
import io.ssegateway.spi.source.MessageSource;
import io.ssegateway.spi.source.SourceFactory;
import io.ssegateway.spi.testkit.MessageSourceContract;
import io.ssegateway.spi.testkit.RecordingHandler;
import java.io.IOException;
import java.io.InputStream;
import java.net.URL;
import java.net.URLClassLoader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.ServiceLoader;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.stream.Stream;
import java.util.zip.ZipEntry;
import java.util.zip.ZipInputStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The built plugin zip is a correct PF4J zip plugin and self-contained: loaded in a class loader that sees only its
 * own {@code lib/} plus the SPI and the JDK (as the gateway's plugin loader arranges), its factory is found through
 * ServiceLoader and its source receives a message from a Pub/Sub server.
 */
class PluginZipIT {

    @Test
    void theZipIsADescribedPf4jPluginWithoutTheSpiOrSlf4j(@TempDir Path dir) throws IOException {
        Path root = unzip(dir);
        Properties descriptor = new Properties();
        try (InputStream in = Files.newInputStream(root.resolve("plugin.properties"))) {
            descriptor.load(in);
        }
        assertEquals("gcp", descriptor.getProperty("plugin.id"));
        assertEquals(System.getProperty("plugin.version"), descriptor.getProperty("plugin.version"));
        assertEquals(">=0.2.0", descriptor.getProperty("plugin.requires"));
        assertEquals("sse-gateway", descriptor.getProperty("plugin.provider"));
        assertFalse(descriptor.getProperty("plugin.description", "").isBlank());

        List<String> jars = jarNames(root);
        assertTrue(jars.contains("sse-gateway-plugin-gcp-" + System.getProperty("plugin.version") + ".jar"), jars.toString());
        assertTrue(jars.stream().anyMatch(name -> name.startsWith("google-cloud-pubsub-")), jars.toString());
        assertTrue(jars.stream().anyMatch(name -> name.startsWith("grpc-netty-shaded-")), jars.toString());
        for (String forbidden : List.of("sse-gateway-spi", "sse-gateway-host", "slf4j-api", "junit", "helidon")) {
            assertTrue(jars.stream().noneMatch(name -> name.startsWith(forbidden)), forbidden + " must not be bundled: " + jars);
        }
    }

    @Test
    void theSourceRunsFromTheZipAloneAndReceivesAMessage(@TempDir Path dir) throws Exception {
        Path root = unzip(dir);
        List<URL> urls = new ArrayList<>();
        for (String jar : jarNames(root)) {
            urls.add(root.resolve("lib").resolve(jar).toUri().toURL());
        }
        try (FakePubSub fake = FakePubSub.start(); PubSubTestClient pubsub = new PubSubTestClient(fake.endpoint());
             URLClassLoader pluginLoader = new URLClassLoader("plugin-gcp", urls.toArray(URL[]::new),
                     new SpiOnly(PluginZipIT.class.getClassLoader()))) {
            TopicName topic = pubsub.createTopic("zip");
            SourceFactory factory = ServiceLoader.load(SourceFactory.class, pluginLoader).stream()
                    .map(ServiceLoader.Provider::get).filter(candidate -> candidate.name().equals("gcp"))
                    .findFirst().orElseThrow(() -> new AssertionError("no 'gcp' SourceFactory in the zip"));
            assertSame(pluginLoader, factory.getClass().getClassLoader(), "the factory must come from the zip");

            MessageSource source = factory.create(PluginConfig.of("gateway.source.gcp",
                    Map.of("project", PubSubTestClient.PROJECT, "topic", "zip", "endpoint", fake.endpoint())));
            List<IncomingMessage> received = new CopyOnWriteArrayList<>();
            CancellationSignal token = new CancellationSignal();
            Thread runner = Thread.ofVirtual().unstarted(() -> {
                try {
                    source.start(collectInto(received), new MessageSourceContract.NoConnections("zip-test"), token);
                } catch (Exception e) {
                    throw new IllegalStateException(e);
                }
            });
            runner.setContextClassLoader(pluginLoader);
            runner.start();
            try {
                io.ssegateway.host.testkit.SseClient.awaitCondition(source::isAvailable, GcpTestSupport.TIMEOUT,
                        () -> "the source from the zip did not subscribe");
                pubsub.publish(topic, "from the zip", Map.of("channel_id", "c", "event_type", "zipped"));
                io.ssegateway.host.testkit.SseClient.awaitCondition(() -> !received.isEmpty(), GcpTestSupport.TIMEOUT,
                        () -> "nothing received");
                assertEquals("from the zip", received.get(0).data());
                assertEquals("zipped", received.get(0).eventType());
            } finally {
                token.cancel();
                runner.join(java.time.Duration.ofSeconds(5));
            }
            assertFalse(runner.isAlive(), "the source did not stop");
        }
    }

    private static Path unzip(Path into) throws IOException {
        Path zip = Path.of(System.getProperty("plugin.zip"));
        assertTrue(Files.isRegularFile(zip), "the plugin zip was not built: " + zip);
        try (ZipInputStream in = new ZipInputStream(Files.newInputStream(zip))) {
            for (ZipEntry entry = in.getNextEntry(); entry != null; entry = in.getNextEntry()) {
                Path target = into.resolve(entry.getName()).normalize();
                assertTrue(target.startsWith(into), "entry escapes the zip: " + entry.getName());
                if (entry.isDirectory()) {
                    Files.createDirectories(target);
                } else {
                    Files.createDirectories(target.getParent());
                    Files.copy(in, target);
                }
            }
        }
        return into;
    }

    private static List<String> jarNames(Path root) throws IOException {
        try (Stream<Path> files = Files.list(root.resolve("lib"))) {
            return files.map(path -> path.getFileName().toString()).sorted().toList();
        }
    }

    private static MessageHandler collectInto(List<IncomingMessage> received) {
        return new RecordingHandler() {
            @Override
            public Delivery handle(IncomingMessage message, IfStorageFails ifStorageFails) {
                received.add(message);
                return super.handle(message, ifStorageFails);
            }
        };
    }

    /** The parent the gateway gives a plugin: the JDK and the SPI, nothing else of the class path. */
    private static final class SpiOnly extends ClassLoader {
        private final ClassLoader application;

        SpiOnly(ClassLoader application) {
            super("spi-only", ClassLoader.getPlatformClassLoader());
            this.application = application;
        }

        @Override
        protected Class<?> findClass(String name) throws ClassNotFoundException {
            if (name.startsWith("io.ssegateway.spi.")) {
                return application.loadClass(name);
            }
            throw new ClassNotFoundException(name);
        }
    }
}
