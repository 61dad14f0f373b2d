package io.ssegateway.host.testkit;

import io.ssegateway.spi.auth.AuthenticatorFactory;
import io.ssegateway.spi.lifecycle.ListenerFactory;
import io.ssegateway.spi.source.SourceFactory;
import io.ssegateway.spi.storage.StorageFactory;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

/**
 * Plugins fabricated from Java source at test time, compiled against the SPI alone. Each one proves something
 * observable over a real SSE connection: it was loaded, configured through its own node, and ran with its own
 * class loader as the thread's context class loader.
 */
public final class TestPlugins {

    private TestPlugins() {
    }

    /**
     * Source {@code greeter}: greets every new connection on its channel with an event {@code welcome} whose data is
     * {@code <greeting> <channel> tccl=<true|false>}; config {@code greeting} (default "hello"), {@code journal}
     * (a file it appends "source stopped" to when cancelled).
     */
    public static Path greeterSource(Path pluginsDir) {
        return PluginBuilder.jar("greeter")
                .source("test.greeter.GreeterSource", """
                        package test.greeter;
                        import io.ssegateway.spi.*;
                        import io.ssegateway.spi.lifecycle.ConnectionInfo;
                        import io.ssegateway.spi.source.*;
                        import java.nio.file.*;
                        public final class GreeterSource implements MessageSource {
                            private final String greeting;
                            private final String journal;
                            private volatile MessageHandler handler;
                            private volatile boolean startTccl;
                            GreeterSource(String greeting, String journal) { this.greeting = greeting; this.journal = journal; }
                            public void start(MessageHandler handler, ConnectionView connections, CancellationToken cancel) throws Exception {
                                startTccl = Thread.currentThread().getContextClassLoader() == getClass().getClassLoader();
                                this.handler = handler;
                                cancel.await();
                                if (journal != null) {
                                    Files.writeString(Path.of(journal), "source stopped\\n", StandardOpenOption.CREATE, StandardOpenOption.APPEND);
                                }
                            }
                            public String name() { return "greeter"; }
                            public void onConnect(ConnectionInfo connection) {
                                boolean tccl = startTccl && Thread.currentThread().getContextClassLoader() == getClass().getClassLoader();
                                handler.handle(IncomingMessage.toChannel(connection.channelId(), "welcome", greeting + " " + connection.channelId() + " tccl=" + tccl), io.ssegateway.spi.source.IfStorageFails.DELIVER_UNSTORED);
                            }
                        }
                        """)
                .source("test.greeter.GreeterFactory", """
                        package test.greeter;
                        import io.ssegateway.spi.PluginConfig;
                        import io.ssegateway.spi.source.*;
                        public final class GreeterFactory implements SourceFactory {
                            public String name() { return "greeter"; }
                            public MessageSource create(PluginConfig config) {
                                return new GreeterSource(config.get("greeting", "hello"), config.get("journal").orElse(null));
                            }
                        }
                        """)
                .service(SourceFactory.class, "test.greeter.GreeterFactory")
                .writeTo(pluginsDir);
    }

    /**
     * Storage {@code list}: keeps everything in a list, ids {@code list-<n>}; an event's data gets
     * {@code " tccl=<true|false>"} appended when stored, so a client sees that append ran with the plugin's loader.
     * Config {@code journal}: a file it appends "storage closed" to on close.
     */
    public static Path listStorage(Path pluginsDir) {
        return PluginBuilder.jar("list-storage")
                .source("test.list.ListStorage", """
                        package test.list;
                        import io.ssegateway.spi.SseEvent;
                        import io.ssegateway.spi.storage.*;
                        import java.nio.file.*;
                        import java.util.*;
                        public final class ListStorage implements MessageStorage {
                            private final List<String[]> rows = new ArrayList<>();
                            private final String journal;
                            ListStorage(String journal) { this.journal = journal; }
                            public synchronized String append(String channel, SseEvent event) {
                                boolean tccl = Thread.currentThread().getContextClassLoader() == getClass().getClassLoader();
                                String id = "list-" + (rows.size() + 1);
                                rows.add(new String[] {channel, id, event.eventType(), event.data() + " tccl=" + tccl});
                                return id;
                            }
                            public synchronized Replay messagesAfter(String channel, String lastEventId, int maxBytes) {
                                List<SseEvent> after = new ArrayList<>();
                                boolean found = EARLIEST.equals(lastEventId);
                                for (String[] row : rows) {
                                    if (!row[0].equals(channel)) continue;
                                    if (found) after.add(new SseEvent(row[1], row[2], row[3], null));
                                    if (row[1].equals(lastEventId)) found = true;
                                }
                                return found ? Replay.complete(after, false) : Replay.gap(after, false);
                            }
                            public int compareIds(String a, String b) {
                                return Integer.compare(Integer.parseInt(a.substring(5)), Integer.parseInt(b.substring(5)));
                            }
                            public boolean isAvailable() { return true; }
                            public String name() { return "list"; }
                            public void close() {
                                try {
                                    if (journal != null) Files.writeString(Path.of(journal), "storage closed\\n", StandardOpenOption.CREATE, StandardOpenOption.APPEND);
                                } catch (java.io.IOException e) { throw new java.io.UncheckedIOException(e); }
                            }
                        }
                        """)
                .source("test.list.ListStorageFactory", """
                        package test.list;
                        import io.ssegateway.spi.PluginConfig;
                        import io.ssegateway.spi.storage.*;
                        public final class ListStorageFactory implements StorageFactory {
                            public String name() { return "list"; }
                            public MessageStorage create(PluginConfig config) { return new ListStorage(config.get("journal").orElse(null)); }
                        }
                        """)
                .service(StorageFactory.class, "test.list.ListStorageFactory")
                .writeTo(pluginsDir);
    }

    /**
     * Authenticator {@code header-auth}: lets in requests whose {@code X-Pass} header equals config {@code secret}
     * (which the environment variable {@code PASS_SECRET} sets, as the plugin declares).
     */
    public static Path headerAuth(Path pluginsDir) {
        return PluginBuilder.jar("header-auth")
                .source("test.auth.HeaderAuthFactory", """
                        package test.auth;
                        import io.ssegateway.spi.PluginConfig;
                        import io.ssegateway.spi.auth.*;
                        import java.util.Optional;
                        public final class HeaderAuthFactory implements AuthenticatorFactory {
                            public String name() { return "header-auth"; }
                            public java.util.Map<String, String> environmentAliases() { return java.util.Map.of("PASS_SECRET", "secret"); }
                            public Authenticator create(PluginConfig config) {
                                String secret = config.require("secret");
                                return request -> request.header("X-Pass").filter(secret::equals).isPresent()
                                        ? AuthResult.allow() : AuthResult.deny(Denial.denyJson(401, "{\\"error\\":\\"no pass\\"}"));
                            }
                        }
                        """)
                .service(AuthenticatorFactory.class, "test.auth.HeaderAuthFactory")
                .writeTo(pluginsDir);
    }

    /**
     * Listener {@code journal}: appends {@code connect <channel>} / {@code disconnect <channel>} to config
     * {@code path}; with config {@code fail: true} it throws from both callbacks instead.
     */
    public static Path journalListener(Path pluginsDir) {
        return PluginBuilder.jar("journal-listener")
                .source("test.journal.JournalFactory", """
                        package test.journal;
                        import io.ssegateway.spi.PluginConfig;
                        import io.ssegateway.spi.lifecycle.*;
                        import java.nio.file.*;
                        public final class JournalFactory implements ListenerFactory {
                            public String name() { return "journal"; }
                            public ConnectionListener create(PluginConfig config) {
                                Path path = Path.of(config.require("path"));
                                boolean fail = config.getBoolean("fail", false);
                                return new ConnectionListener() {
                                    public void onConnect(ConnectionInfo c) { write("connect " + c.channelId()); }
                                    public void onDisconnect(ConnectionInfo c) { write("disconnect " + c.channelId()); }
                                    private void write(String line) {
                                        if (fail) throw new IllegalStateException("journal listener is broken on purpose");
                                        try {
                                            Files.writeString(path, line + "\\n", StandardOpenOption.CREATE, StandardOpenOption.APPEND);
                                        } catch (java.io.IOException e) { throw new java.io.UncheckedIOException(e); }
                                    }
                                };
                            }
                        }
                        """)
                .service(ListenerFactory.class, "test.journal.JournalFactory")
                .writeTo(pluginsDir);
    }

    /**
     * Zip plugin {@code shouter}: source {@code shouter} greets connections with an event {@code shout} whose data
     * is computed by a class of a separate library jar in the zip's {@code lib/}.
     */
    public static Path shouterZip(Path pluginsDir) {
        Path library = PluginBuilder.library("shout-lib", Map.of("lib.shout.Shout", """
                package lib.shout;
                public final class Shout {
                    public static String loud(String text) { return text.toUpperCase() + "!"; }
                }
                """));
        return PluginBuilder.zip("shouter")
                .library(library)
                .source("test.shouter.ShouterFactory", """
                        package test.shouter;
                        import io.ssegateway.spi.*;
                        import io.ssegateway.spi.lifecycle.ConnectionInfo;
                        import io.ssegateway.spi.source.*;
                        public final class ShouterFactory implements SourceFactory {
                            public String name() { return "shouter"; }
                            public MessageSource create(PluginConfig config) {
                                return new MessageSource() {
                                    volatile MessageHandler handler;
                                    public void start(MessageHandler handler, ConnectionView connections, CancellationToken cancel) throws Exception {
                                        this.handler = handler;
                                        cancel.await();
                                    }
                                    public String name() { return "shouter"; }
                                    public void onConnect(ConnectionInfo c) {
                                        handler.handle(IncomingMessage.toChannel(c.channelId(), "shout", lib.shout.Shout.loud("hi " + c.channelId())), io.ssegateway.spi.source.IfStorageFails.DELIVER_UNSTORED);
                                    }
                                };
                            }
                        }
                        """)
                .service(SourceFactory.class, "test.shouter.ShouterFactory")
                .writeTo(pluginsDir);
    }

    /**
     * Zip plugin {@code jackson-probe} bundling its own Jackson ({@code jacksonJars}): source {@code jackson-probe}
     * greets connections with an event {@code jackson} whose data is the Jackson version the plugin sees, serialized
     * by that Jackson.
     */
    public static Path jacksonProbeZip(Path pluginsDir, List<Path> jacksonJars) {
        PluginBuilder builder = PluginBuilder.zip("jackson-probe");
        jacksonJars.forEach(builder::library);
        return builder
                .source("test.jackson.ProbeFactory", """
                        package test.jackson;
                        import com.fasterxml.jackson.databind.ObjectMapper;
                        import io.ssegateway.spi.*;
                        import io.ssegateway.spi.lifecycle.ConnectionInfo;
                        import io.ssegateway.spi.source.*;
                        import java.util.Map;
                        public final class ProbeFactory implements SourceFactory {
                            public String name() { return "jackson-probe"; }
                            public MessageSource create(PluginConfig config) {
                                ObjectMapper mapper = new ObjectMapper();
                                return new MessageSource() {
                                    volatile MessageHandler handler;
                                    public void start(MessageHandler handler, ConnectionView connections, CancellationToken cancel) throws Exception {
                                        this.handler = handler;
                                        cancel.await();
                                    }
                                    public String name() { return "jackson-probe"; }
                                    public void onConnect(ConnectionInfo c) {
                                        try {
                                            String json = mapper.writeValueAsString(Map.of("version", mapper.version().toString()));
                                            handler.handle(IncomingMessage.toChannel(c.channelId(), "jackson", json), io.ssegateway.spi.source.IfStorageFails.DELIVER_UNSTORED);
                                        } catch (Exception e) { throw new IllegalStateException(e); }
                                    }
                                };
                            }
                        }
                        """)
                .service(SourceFactory.class, "test.jackson.ProbeFactory")
                .writeTo(pluginsDir);
    }

    /** A jar with a factory but no plugin descriptor in its manifest: not a plugin. Provides source {@code orphan}. */
    public static Path withoutDescriptor(Path pluginsDir) {
        return simpleSource(PluginBuilder.jar("orphan").withoutDescriptor(), "orphan", "", "cancel.await();")
                .writeTo(pluginsDir);
    }

    /** Source {@code boom} whose factory throws from {@code create}. */
    public static Path throwingFactory(Path pluginsDir) {
        return simpleSource(PluginBuilder.jar("boom"), "boom",
                "if (true) throw new IllegalStateException(\"boom cannot connect to its broker\");", "cancel.await();")
                .writeTo(pluginsDir);
    }

    /** Source {@code crash} whose {@code start} throws at once. */
    public static Path throwingStart(Path pluginsDir) {
        return simpleSource(PluginBuilder.jar("crash"), "crash", "",
                "throw new java.io.IOException(\"crash lost its subscription\");")
                .writeTo(pluginsDir);
    }

    /** Source {@code future} in a plugin that requires SPI {@code >=9.0.0}. */
    public static Path wrongSpiVersion(Path pluginsDir) {
        return simpleSource(PluginBuilder.jar("future").requires(">=9.0.0"), "future", "", "cancel.await();")
                .writeTo(pluginsDir);
    }

    private static PluginBuilder simpleSource(PluginBuilder builder, String name, String inCreate, String inStart) {
        String pkg = "test." + name;
        return builder
                .source(pkg + ".Factory", """
                        package %s;
                        import io.ssegateway.spi.*;
                        import io.ssegateway.spi.source.*;
                        public final class Factory implements SourceFactory {
                            public String name() { return "%s"; }
                            public MessageSource create(PluginConfig config) {
                                %s
                                return new MessageSource() {
                                    public void start(MessageHandler handler, ConnectionView connections, CancellationToken cancel) throws Exception {
                                        %s
                                    }
                                    public String name() { return "%s"; }
                                };
                            }
                        }
                        """.formatted(pkg, name, inCreate, inStart, name))
                .service(SourceFactory.class, pkg + ".Factory");
    }
}
