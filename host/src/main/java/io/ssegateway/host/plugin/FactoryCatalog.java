package io.ssegateway.host.plugin;

import io.ssegateway.host.core.ConfigurationException;
import io.ssegateway.host.core.PluginCalls;
import io.ssegateway.spi.PluginFactory;
import io.ssegateway.spi.auth.AuthenticatorFactory;
import io.ssegateway.spi.lifecycle.ListenerFactory;
import io.ssegateway.spi.source.SourceFactory;
import io.ssegateway.spi.storage.StorageFactory;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.ServiceConfigurationError;
import java.util.ServiceLoader;
import java.util.TreeMap;
import java.util.function.Function;
import java.util.logging.Logger;

/**
 * The factories the gateway can choose from, by kind and name, each with where it came from. Built-ins are found
 * with {@link ServiceLoader} on the host's class path, plugins with {@link ServiceLoader} on each plugin's class
 * loader; configuration then picks one by name.
 */
public final class FactoryCatalog {

    private static final Logger LOG = Logger.getLogger(FactoryCatalog.class.getName());

    /** The factory interfaces a plugin lists its factories under in {@code META-INF/services}. */
    public static final List<Class<?>> FACTORY_KINDS = List.of(SourceFactory.class, StorageFactory.class,
            AuthenticatorFactory.class, ListenerFactory.class);

    /** A factory and its origin ({@code built-in}, or the plugin id and file). */
    public record Entry<F>(F factory, String origin) {
    }

    private final Map<String, Entry<SourceFactory>> sources = new TreeMap<>();
    private final Map<String, Entry<StorageFactory>> storages = new TreeMap<>();
    private final Map<String, Entry<AuthenticatorFactory>> authenticators = new TreeMap<>();
    private final Map<String, Entry<ListenerFactory>> listeners = new TreeMap<>();

    /** The built-in factories of the host's class path. */
    public static FactoryCatalog builtIns() {
        FactoryCatalog catalog = new FactoryCatalog();
        catalog.addFrom(FactoryCatalog.class.getClassLoader(), "built-in");
        return catalog;
    }

    /**
     * Adds every factory {@code loader} lists in {@code META-INF/services}.
     *
     * @return what was added, such as {@code source redis}
     * @throws ServiceConfigurationError a listed factory could not be loaded or instantiated
     */
    public List<String> addFrom(ClassLoader loader, String origin) {
        List<String> added = new ArrayList<>();
        add(SourceFactory.class, SourceFactory::name, sources, loader, origin, "source", added);
        add(StorageFactory.class, StorageFactory::name, storages, loader, origin, "storage", added);
        add(AuthenticatorFactory.class, AuthenticatorFactory::name, authenticators, loader, origin, "authenticator", added);
        add(ListenerFactory.class, ListenerFactory::name, listeners, loader, origin, "listener", added);
        return added;
    }

    private static <F> void add(Class<F> kind, Function<F, String> name, Map<String, Entry<F>> into,
                                ClassLoader loader, String origin, String label, List<String> added) {
        for (ServiceLoader.Provider<F> provider : ServiceLoader.load(kind, loader).stream().toList()) {
            // ServiceLoader also sees the parent loader's services: take only those this loader defines
            if (provider.type().getClassLoader() != loader) {
                continue;
            }
            F factory = provider.get();
            String factoryName = name.apply(factory);
            Entry<F> existing = into.putIfAbsent(factoryName, new Entry<>(factory, origin));
            if (existing != null) {
                LOG.warning(kind.getSimpleName() + " '" + factoryName + "' from " + origin + " ignored: "
                        + existing.origin() + " already provides one by that name");
                continue;
            }
            added.add(label + " " + factoryName);
        }
    }

    /**
     * The short environment variable names the factories declare ({@link PluginFactory#environmentAliases()}), each
     * with the full keys it sets: {@code REDIS_URL → [gateway.source.redis.url, gateway.storage.redis.url, …]}.
     */
    public Map<String, List<String>> environmentAliases() {
        Map<String, List<String>> aliases = new TreeMap<>();
        collectAliases(sources, "gateway.source.", aliases);
        collectAliases(storages, "gateway.storage.", aliases);
        collectAliases(authenticators, "gateway.auth.", aliases);
        collectAliases(listeners, "gateway.listener.", aliases);
        return aliases;
    }

    private static <F extends PluginFactory<?>> void collectAliases(Map<String, Entry<F>> entries, String kindNode,
                                                                   Map<String, List<String>> into) {
        entries.forEach((name, entry) -> {
            Map<String, String> declared;
            try {
                declared = PluginCalls.withContextLoader(entry.factory(), entry.factory()::environmentAliases);
            } catch (RuntimeException | LinkageError e) {
                LOG.warning("The environment aliases of " + kindNode + name + " (" + entry.origin() + ") cannot be read,"
                        + " ignoring them: " + e);
                return;
            }
            declared.forEach((variable, key) ->
                    into.computeIfAbsent(variable, v -> new ArrayList<>()).add(kindNode + name + "." + key));
        });
    }

    public Entry<SourceFactory> source(String name) {
        return pick(sources, name, "source", "gateway.source.type");
    }

    public Entry<StorageFactory> storage(String name) {
        return pick(storages, name, "storage", "gateway.storage.type");
    }

    public Entry<AuthenticatorFactory> authenticator(String name) {
        return pick(authenticators, name, "authenticator", "gateway.auth.type");
    }

    public Entry<ListenerFactory> listener(String name) {
        return pick(listeners, name, "listener", "gateway.listeners");
    }

    private static <F> Entry<F> pick(Map<String, Entry<F>> entries, String name, String kind, String key) {
        Entry<F> entry = entries.get(name);
        if (entry == null) {
            throw new ConfigurationException("Unknown " + kind + " type '" + name + "' in " + key + "; available: "
                    + (entries.isEmpty() ? "none" : String.join(", ", entries.keySet()))
                    + ". A plugin providing it must be in the plugins directory.");
        }
        return entry;
    }
}
