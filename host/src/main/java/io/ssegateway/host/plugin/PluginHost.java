package io.ssegateway.host.plugin;

import io.ssegateway.host.core.ConfigurationException;
import io.ssegateway.host.core.PluginBuild;
import io.ssegateway.host.core.PluginCalls;
import io.ssegateway.host.core.PluginStatus;
import io.ssegateway.spi.SpiVersion;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.ServiceConfigurationError;
import java.util.ServiceLoader;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.logging.Level;
import java.util.spi.ToolProvider;
import java.util.logging.Logger;
import java.util.zip.ZipEntry;
import java.util.zip.ZipInputStream;
import org.pf4j.BasePluginLoader;
import org.pf4j.CompoundPluginLoader;
import org.pf4j.DefaultPluginClasspath;
import org.pf4j.DefaultPluginManager;
import org.pf4j.PluginClassLoader;
import org.pf4j.PluginDescriptor;
import org.pf4j.PluginLoader;
import org.pf4j.PluginManager;
import org.pf4j.PluginRepository;
import org.pf4j.PluginRuntimeException;
import org.pf4j.PluginState;
import org.pf4j.PluginWrapper;

/**
 * Loads the drop-in plugins of {@code gateway.plugins-dir} with PF4J: jar plugins (manifest {@code Plugin-Id},
 * {@code Plugin-Version}, {@code Plugin-Requires}) and zip plugins ({@code plugin.properties} and {@code lib/}),
 * each with a class loader of its own, then finds their factories with {@link java.util.ServiceLoader} on that
 * loader and adds them to the {@link FactoryCatalog}.
 * <p>
 * Class-loader policy: a plugin sees its own jars first (so it may bundle another version of a library the host
 * uses), except for the SPI ({@code io.ssegateway.spi}), SLF4J and PF4J, which always come from the host so that
 * plugin and host agree on those types. Zips are expanded into a private work directory, never into the plugins
 * directory, which may therefore be read-only. A plugin that cannot be loaded is recorded as FAILED with its reason;
 * whether that stops start-up depends on whether the configuration needs it ({@link #failures()}).
 */
public final class PluginHost implements AutoCloseable {

    private static final Logger LOG = Logger.getLogger(PluginHost.class.getName());
    /** Packages a plugin always takes from the host, whatever it bundles. */
    private static final List<String> HOST_PACKAGES = List.of("io.ssegateway.spi.", "org.slf4j.");

    /** A plugin file that could not be used, and why. */
    public record Failure(String pluginId, Path file, String reason) {
        public String describe() {
            return "plugin " + (pluginId == null ? "?" : "'" + pluginId + "'") + " (" + file + "): " + reason;
        }
    }

    private final PluginWorkDir workDir;
    private final GatewayPluginManager manager;
    private final List<Failure> failures = new CopyOnWriteArrayList<>();
    private final Map<String, String> factoriesByPlugin = new LinkedHashMap<>();

    private PluginHost(Path pluginsDir, PluginWorkDir workDir, List<Path> pluginPaths, Map<Path, Path> sourceFiles) {
        this.workDir = workDir;
        this.manager = new GatewayPluginManager(pluginsDir, pluginPaths, sourceFiles, failures);
    }

    /**
     * Loads every plugin of {@code pluginsDir} and registers its factories in {@code catalog}. A missing directory
     * means no plugins. A directory that cannot be read is a {@link ConfigurationException}.
     */
    public static PluginHost load(Path pluginsDir, FactoryCatalog catalog) {
        Path dir = pluginsDir.toAbsolutePath().normalize();
        if (Files.notExists(dir)) {
            LOG.info("No plugins directory at " + dir + ": built-in source and storages only");
            return new PluginHost(dir, null, List.of(), Map.of()).register(catalog);
        }
        if (!Files.isDirectory(dir)) {
            throw new ConfigurationException("gateway.plugins-dir " + dir + " is not a directory");
        }
        List<Path> files = list(dir);
        PluginWorkDir workDir = null;
        List<Path> pluginPaths = new ArrayList<>();
        Map<Path, Path> sourceFiles = new LinkedHashMap<>();
        List<Failure> expandFailures = new ArrayList<>();
        for (Path file : files) {
            String name = file.getFileName().toString().toLowerCase(Locale.ROOT);
            if (name.endsWith(".jar")) {
                pluginPaths.add(file);
                sourceFiles.put(file, file);
            } else if (name.endsWith(".zip")) {
                if (workDir == null) {
                    workDir = PluginWorkDir.create(Path.of(System.getProperty("java.io.tmpdir")));
                }
                try {
                    Path expanded = expand(file, workDir.path(), ZipLimits.DEFAULT);
                    pluginPaths.add(expanded);
                    sourceFiles.put(expanded, file);
                } catch (ZipLimits.Exceeded e) {
                    expandFailures.add(new Failure(null, file, "refused: " + e.getMessage()));
                } catch (IOException | UncheckedIOException e) {
                    expandFailures.add(new Failure(null, file, "cannot read the zip: " + e.getMessage()));
                }
            } else if (!name.startsWith(".") && !name.endsWith(".txt") && !name.endsWith(".md")) {
                LOG.info("Ignoring " + file + " in the plugins directory: plugins are .jar or .zip files");
            }
        }
        LOG.info("Plugins directory " + dir + ": " + pluginPaths.size() + " plugin file(s)");
        PluginHost host = new PluginHost(dir, workDir, pluginPaths, sourceFiles);
        host.failures.addAll(expandFailures);
        return host.register(catalog);
    }

    private PluginHost register(FactoryCatalog catalog) {
        manager.loadPlugins();
        for (PluginWrapper plugin : manager.getResolvedPlugins()) {
            if (plugin.getPluginState() == PluginState.DISABLED) {
                continue;
            }
            String origin = "plugin " + plugin.getPluginId() + " " + plugin.getDescriptor().getVersion()
                    + " (" + manager.sourceFile(plugin.getPluginPath()) + ")";
            ClassLoader loader = plugin.getPluginClassLoader();
            warnAboutBundledSpi(plugin, loader);
            try {
                String provided = String.join(", ", catalog.addFrom(loader, origin));
                if (provided.isEmpty()) {
                    fail(plugin, "it provides no factories: " + whyNoFactories(loader));
                    continue;
                }
                factoriesByPlugin.put(plugin.getPluginId(), provided);
                LOG.info("Loaded " + origin + ": " + provided);
            } catch (ServiceConfigurationError | LinkageError e) {
                Throwable cause = e.getCause() != null ? e.getCause() : e;
                LOG.log(Level.FINE, "The factories of plugin " + plugin.getPluginId() + " cannot be loaded", e);
                fail(plugin, "its factories cannot be loaded: " + PluginCalls.describe(loader, cause));
            }
        }
        manager.startPlugins();
        for (PluginWrapper plugin : manager.getPlugins()) {
            if (plugin.getPluginState() == PluginState.FAILED && plugin.getFailedException() != null) {
                fail(plugin, "its PF4J plugin class failed to start: " + plugin.getFailedException());
            }
        }
        for (Failure failure : failures) {
            LOG.warning("Plugin FAILED: " + failure.describe());
        }
        return this;
    }

    /** A plugin's copy of the SPI is never used (the host's always is): say so, it also tells what it was built against. */
    private void warnAboutBundledSpi(PluginWrapper plugin, ClassLoader loader) {
        if (loader instanceof PluginFirstClassLoader pluginLoader && pluginLoader.bundledSpi() != null) {
            LOG.warning("Plugin '" + plugin.getPluginId() + "' (" + manager.sourceFile(plugin.getPluginPath())
                    + ") bundles the sse-gateway SPI " + pluginLoader.bundledSpi() + " (" + pluginLoader.bundledSpiFile()
                    + "); it is ignored, the gateway's SPI " + SpiVersion.CURRENT + " is used. Declare the SPI with scope "
                    + "provided so that it stays out of the plugin");
        }
    }

    /** Why a plugin that loaded registered no factory, as far as its files tell. */
    private static String whyNoFactories(ClassLoader loader) {
        List<String> listed = loader instanceof PluginFirstClassLoader pluginLoader
                ? pluginLoader.contents().serviceFiles() : List.of();
        List<String> factoryKinds = FactoryCatalog.FACTORY_KINDS.stream().map(Class::getName).toList();
        List<String> unknown = listed.stream()
                .filter(name -> name.startsWith("io.ssegateway.") && !factoryKinds.contains(name)).toList();
        if (!unknown.isEmpty()) {
            return "it lists " + String.join(", ", unknown) + " in META-INF/services, which the gateway's SPI "
                    + SpiVersion.CURRENT + " does not have (built against another SPI version?). Factories are listed "
                    + "under " + String.join(", ", factoryKinds);
        }
        if (listed.stream().anyMatch(factoryKinds::contains)) {
            return "its META-INF/services files name factory classes that are not in the plugin's own jars";
        }
        return "no META-INF/services file names a factory. Likely cause: the jar was built without "
                + "src/main/resources/META-INF/services/<factory interface> (or a shading or merging step dropped it); "
                + "add one listing your factory class under " + String.join(", ", factoryKinds);
    }

    private void fail(PluginWrapper plugin, String reason) {
        failures.add(new Failure(plugin.getPluginId(), manager.sourceFile(plugin.getPluginPath()), reason));
        factoriesByPlugin.remove(plugin.getPluginId());
        if (plugin.getPluginState() != PluginState.FAILED) {
            plugin.setPluginState(PluginState.FAILED);
        }
    }

    /**
     * The command-line tools the loaded plugins declare ({@code META-INF/services/java.util.spi.ToolProvider} in the
     * plugin): the commands of {@code bin/sse-gateway <tool> …}, such as the jwt plugin's {@code token}.
     */
    public List<ToolProvider> tools() {
        List<ToolProvider> tools = new ArrayList<>();
        for (PluginWrapper plugin : manager.getResolvedPlugins()) {
            ClassLoader loader = plugin.getPluginClassLoader();
            try {
                ServiceLoader.load(ToolProvider.class, loader).stream()
                        // the loader's parents offer the JDK's own tools (jar, javac): only the plugin's count
                        .filter(provider -> provider.type().getClassLoader() == loader)
                        .forEach(provider -> tools.add(provider.get()));
            } catch (ServiceConfigurationError | LinkageError e) {
                LOG.warning("The tools of plugin " + plugin.getPluginId() + " cannot be loaded: " + e);
            }
        }
        return tools;
    }

    /** The plugins that could not be loaded, with the file and the reason. */
    public List<Failure> failures() {
        return List.copyOf(failures);
    }

    /** Every plugin file found, for {@code /api/stats}: loaded ones with their PF4J state, failed ones as FAILED. */
    public List<PluginStatus> states() {
        List<PluginStatus> states = new ArrayList<>();
        for (PluginWrapper plugin : manager.getPlugins()) {
            boolean failed = failures.stream().anyMatch(f -> plugin.getPluginId().equals(f.pluginId()));
            states.add(new PluginStatus(plugin.getPluginId(), plugin.getDescriptor().getVersion(),
                    failed ? "FAILED" : plugin.getPluginState().toString()));
        }
        for (Failure failure : failures) {
            if (failure.pluginId() == null || manager.getPlugin(failure.pluginId()) == null) {
                String id = failure.pluginId() != null ? failure.pluginId() : failure.file().getFileName().toString();
                states.add(new PluginStatus(id, "", "FAILED"));
            }
        }
        return states;
    }

    /** Stops the plugins in the reverse order of their start, unloads them and deletes the expanded zips. */
    @Override
    public void close() {
        List<PluginWrapper> started = new ArrayList<>(manager.getStartedPlugins());
        Collections.reverse(started);
        for (PluginWrapper plugin : started) {
            try {
                manager.stopPlugin(plugin.getPluginId());
            } catch (RuntimeException e) {
                LOG.log(Level.WARNING, "Stopping plugin " + plugin.getPluginId() + " failed", e);
            }
        }
        List<PluginWrapper> loaded = new ArrayList<>(manager.getPlugins());
        Collections.reverse(loaded);
        for (PluginWrapper plugin : loaded) {
            try {
                manager.unloadPlugin(plugin.getPluginId());
            } catch (RuntimeException e) {
                LOG.log(Level.FINE, "Unloading plugin " + plugin.getPluginId() + " failed", e);
            }
        }
        if (workDir != null) {
            workDir.close();
        }
    }

    private static List<Path> list(Path dir) {
        List<Path> files = new ArrayList<>();
        try (DirectoryStream<Path> entries = Files.newDirectoryStream(dir)) {
            entries.forEach(files::add);
        } catch (IOException | SecurityException e) {
            throw new ConfigurationException("Cannot read the plugins directory " + dir + " (gateway.plugins-dir): "
                    + e.getMessage() + ". Make it readable by the gateway's user, or point gateway.plugins-dir elsewhere.");
        }
        files.sort(null);
        return files;
    }

    /**
     * Expands a zip plugin into its own folder under {@code workDir}, refusing entries that escape it and zips that
     * expand beyond {@code limits} (a zip bomb); what was written of a refused zip is deleted.
     */
    static Path expand(Path zip, Path workDir, ZipLimits limits) throws IOException {
        String name = zip.getFileName().toString();
        Path target = workDir.resolve(name.substring(0, name.length() - 4));
        Files.createDirectories(target);
        long zipSize = Files.size(zip);
        long budget = limits.budget(zipSize);
        String tooLarge = "it expands to more than " + budget + " bytes (at most " + limits.maxBytes() + " bytes and "
                + limits.maxRatio() + " times the zip's " + zipSize + " bytes): a corrupt zip or a zip bomb";
        long written = 0;
        int entries = 0;
        try (ZipInputStream in = new ZipInputStream(Files.newInputStream(zip))) {
            for (ZipEntry entry = in.getNextEntry(); entry != null; entry = in.getNextEntry()) {
                if (++entries > limits.maxEntries()) {
                    throw new ZipLimits.Exceeded("it has more than " + limits.maxEntries() + " entries");
                }
                Path out = target.resolve(entry.getName()).normalize();
                if (!out.startsWith(target)) {
                    throw new IOException("entry " + entry.getName() + " points outside the plugin");
                }
                if (entry.isDirectory()) {
                    Files.createDirectories(out);
                } else {
                    Files.createDirectories(out.getParent());
                    written += ZipLimits.copy(in, out, budget - written, tooLarge);
                }
            }
        } catch (IOException | RuntimeException e) {
            PluginWorkDir.delete(target);
            throw e;
        }
        return target;
    }

    /**
     * PF4J's manager over an explicit list of plugin paths (jars as they are, zips expanded), with the host-first
     * class-loader policy, and failures recorded instead of only logged.
     */
    private static final class GatewayPluginManager extends DefaultPluginManager {

        private final List<Path> pluginPaths;
        private final Map<Path, Path> sourceFiles;
        private final List<Failure> failures;

        GatewayPluginManager(Path root, List<Path> pluginPaths, Map<Path, Path> sourceFiles, List<Failure> failures) {
            super(root);
            this.pluginPaths = pluginPaths;
            this.sourceFiles = sourceFiles;
            this.failures = failures;
            setSystemVersion(SpiVersion.CURRENT);
        }

        Path sourceFile(Path pluginPath) {
            return sourceFiles.getOrDefault(pluginPath, pluginPath);
        }

        @Override
        protected PluginRepository createPluginRepository() {
            return new PluginRepository() {
                @Override
                public List<Path> getPluginPaths() {
                    return pluginPaths;
                }

                @Override
                public boolean deletePluginPath(Path pluginPath) {
                    return false;
                }
            };
        }

        @Override
        protected PluginLoader createPluginLoader() {
            return new CompoundPluginLoader()
                    .add(new PluginFirstJarLoader(this))
                    .add(new PluginFirstFolderLoader(this));
        }

        @Override
        protected PluginWrapper loadPluginFromPath(Path pluginPath) {
            try {
                return super.loadPluginFromPath(pluginPath);
            } catch (PluginRuntimeException | IllegalArgumentException e) {
                failures.add(new Failure(null, sourceFile(pluginPath), explain(e)));
                throw e instanceof PluginRuntimeException runtime ? runtime : new PluginRuntimeException(e);
            }
        }

        @Override
        protected boolean isPluginValid(PluginWrapper plugin) {
            boolean valid;
            try {
                valid = super.isPluginValid(plugin);
            } catch (RuntimeException e) {
                // PF4J's version parser throws its own lexer and parser exceptions on an expression it cannot read
                failures.add(new Failure(plugin.getPluginId(), sourceFile(plugin.getPluginPath()),
                        "its Plugin-Requires '" + plugin.getDescriptor().getRequires() + "' is not a version"
                                + " expression (write one such as >=0.2.0 or 0.2.x): " + e.getMessage()));
                plugin.setPluginState(PluginState.DISABLED);
                return false;
            }
            if (valid) {
                return true;
            }
            failures.add(new Failure(plugin.getPluginId(), sourceFile(plugin.getPluginPath()),
                    "it requires the sse-gateway SPI " + plugin.getDescriptor().getRequires()
                            + " and this gateway provides " + SpiVersion.CURRENT));
            plugin.setPluginState(PluginState.DISABLED);
            return false;
        }

        private static String explain(Exception e) {
            String message = String.valueOf(e.getMessage());
            if (message.contains("Field 'id' cannot be empty") || message.contains("No PluginDescriptorFinder")
                    || message.contains("Cannot find the manifest") || message.contains("Cannot find the properties")) {
                return "not a plugin: no Plugin-Id (jar manifest: Plugin-Id, Plugin-Version, Plugin-Requires; zip: "
                        + "plugin.properties with plugin.id, plugin.version, plugin.requires) — " + message;
            }
            return message;
        }
    }

    /** Jar plugins: one jar, loaded host-first for the shared packages. */
    private static final class PluginFirstJarLoader implements PluginLoader {
        private final PluginManager manager;

        PluginFirstJarLoader(PluginManager manager) {
            this.manager = manager;
        }

        @Override
        public boolean isApplicable(Path pluginPath) {
            return Files.isRegularFile(pluginPath) && pluginPath.toString().toLowerCase(Locale.ROOT).endsWith(".jar");
        }

        @Override
        public ClassLoader loadPlugin(Path pluginPath, PluginDescriptor descriptor) {
            PluginFirstClassLoader loader = new PluginFirstClassLoader(manager, descriptor);
            loader.addFile(pluginPath.toFile());
            return loader;
        }
    }

    /** Expanded zip plugins: {@code classes/} and {@code lib/*.jar}. */
    private static final class PluginFirstFolderLoader extends BasePluginLoader {
        PluginFirstFolderLoader(PluginManager manager) {
            super(manager, new DefaultPluginClasspath());
        }

        @Override
        protected PluginClassLoader createPluginClassLoader(Path pluginPath, PluginDescriptor descriptor) {
            return new PluginFirstClassLoader(pluginManager, descriptor);
        }
    }

    /**
     * Plugin-first class loading, except for the packages plugin and host must share. Knows the plugin's descriptor and
     * files, for messages about a plugin built against another SPI.
     */
    private static final class PluginFirstClassLoader extends PluginClassLoader implements PluginBuild {
        private final PluginDescriptor descriptor;
        private volatile PluginContents.BundledSpi bundled;
        private volatile boolean bundledRead;

        PluginFirstClassLoader(PluginManager manager, PluginDescriptor descriptor) {
            super(manager, descriptor, PluginHost.class.getClassLoader());
            this.descriptor = descriptor;
        }

        PluginContents contents() {
            return PluginContents.of(getURLs());
        }

        @Override
        public String pluginName() {
            return "plugin '" + descriptor.getPluginId() + "' " + descriptor.getVersion();
        }

        @Override
        public String requiredSpi() {
            return descriptor.getRequires();
        }

        @Override
        public String bundledSpi() {
            PluginContents.BundledSpi spi = readBundledSpi();
            return spi == null ? null : spi.version();
        }

        String bundledSpiFile() {
            PluginContents.BundledSpi spi = readBundledSpi();
            return spi == null ? null : spi.file();
        }

        private PluginContents.BundledSpi readBundledSpi() {
            if (!bundledRead) {
                bundled = contents().bundledSpi();
                bundledRead = true;
            }
            return bundled;
        }

        @Override
        public Class<?> loadClass(String className) throws ClassNotFoundException {
            for (String shared : HOST_PACKAGES) {
                if (className.startsWith(shared)) {
                    return getParent().loadClass(className);
                }
            }
            return super.loadClass(className);
        }
    }
}
