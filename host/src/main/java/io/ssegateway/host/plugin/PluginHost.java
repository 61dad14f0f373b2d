package io.ssegateway.host.plugin;

import io.ssegateway.host.admin.GatewayStatus;
import io.ssegateway.host.config.ConfigurationException;
import io.ssegateway.spi.SpiVersion;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.DirectoryStream;
import java.nio.file.FileVisitResult;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.SimpleFileVisitor;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.BasicFileAttributes;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.ServiceConfigurationError;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.logging.Level;
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

    private final Path pluginsDir;
    private final Path workDir;
    private final GatewayPluginManager manager;
    private final List<Failure> failures = new CopyOnWriteArrayList<>();
    private final Map<String, String> factoriesByPlugin = new LinkedHashMap<>();

    private PluginHost(Path pluginsDir, Path workDir, List<Path> pluginPaths, Map<Path, Path> sourceFiles) {
        this.pluginsDir = pluginsDir;
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
        Path workDir = null;
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
                    workDir = createWorkDir();
                }
                try {
                    Path expanded = expand(file, workDir);
                    pluginPaths.add(expanded);
                    sourceFiles.put(expanded, file);
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
            try {
                String provided = String.join(", ", catalog.addFrom(plugin.getPluginClassLoader(), origin));
                factoriesByPlugin.put(plugin.getPluginId(), provided);
                LOG.info("Loaded " + origin + ": " + (provided.isEmpty() ? "no factories" : provided));
            } catch (ServiceConfigurationError | LinkageError e) {
                Throwable cause = e.getCause() != null ? e.getCause() : e;
                fail(plugin, "its factories cannot be loaded: " + cause);
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

    private void fail(PluginWrapper plugin, String reason) {
        failures.add(new Failure(plugin.getPluginId(), manager.sourceFile(plugin.getPluginPath()), reason));
        factoriesByPlugin.remove(plugin.getPluginId());
        if (plugin.getPluginState() != PluginState.FAILED) {
            plugin.setPluginState(PluginState.FAILED);
        }
    }

    /** The plugins that could not be loaded, with the file and the reason. */
    public List<Failure> failures() {
        return List.copyOf(failures);
    }

    /** Every plugin file found, for {@code /api/stats}: loaded ones with their PF4J state, failed ones as FAILED. */
    public List<GatewayStatus.PluginState> states() {
        List<GatewayStatus.PluginState> states = new ArrayList<>();
        for (PluginWrapper plugin : manager.getPlugins()) {
            boolean failed = failures.stream().anyMatch(f -> plugin.getPluginId().equals(f.pluginId()));
            states.add(new GatewayStatus.PluginState(plugin.getPluginId(), plugin.getDescriptor().getVersion(),
                    failed ? "FAILED" : plugin.getPluginState().toString()));
        }
        for (Failure failure : failures) {
            if (failure.pluginId() == null || manager.getPlugin(failure.pluginId()) == null) {
                String id = failure.pluginId() != null ? failure.pluginId() : failure.file().getFileName().toString();
                states.add(new GatewayStatus.PluginState(id, "", "FAILED"));
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
            deleteRecursively(workDir);
        }
    }

    public Path pluginsDir() {
        return pluginsDir;
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

    private static Path createWorkDir() {
        try {
            Path dir = Files.createTempDirectory("sse-gateway-plugins-");
            dir.toFile().deleteOnExit();
            return dir;
        } catch (IOException e) {
            throw new ConfigurationException("Cannot create a directory to expand zip plugins in "
                    + System.getProperty("java.io.tmpdir") + ": " + e.getMessage()
                    + ". Make it writable or set -Djava.io.tmpdir to a writable directory.");
        }
    }

    /** Expands a zip plugin into its own folder under {@code workDir}, refusing entries that escape it. */
    private static Path expand(Path zip, Path workDir) throws IOException {
        String name = zip.getFileName().toString();
        Path target = workDir.resolve(name.substring(0, name.length() - 4));
        Files.createDirectories(target);
        try (ZipInputStream in = new ZipInputStream(Files.newInputStream(zip))) {
            for (ZipEntry entry = in.getNextEntry(); entry != null; entry = in.getNextEntry()) {
                Path out = target.resolve(entry.getName()).normalize();
                if (!out.startsWith(target)) {
                    throw new IOException("entry " + entry.getName() + " points outside the plugin");
                }
                if (entry.isDirectory()) {
                    Files.createDirectories(out);
                } else {
                    Files.createDirectories(out.getParent());
                    Files.copy(in, out, StandardCopyOption.REPLACE_EXISTING);
                }
            }
        }
        return target;
    }

    private static void deleteRecursively(Path dir) {
        try {
            Files.walkFileTree(dir, new SimpleFileVisitor<>() {
                @Override
                public FileVisitResult visitFile(Path file, BasicFileAttributes attributes) throws IOException {
                    Files.deleteIfExists(file);
                    return FileVisitResult.CONTINUE;
                }

                @Override
                public FileVisitResult postVisitDirectory(Path directory, IOException e) throws IOException {
                    Files.deleteIfExists(directory);
                    return FileVisitResult.CONTINUE;
                }
            });
        } catch (IOException e) {
            LOG.log(Level.FINE, "Could not delete " + dir, e);
        }
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
                    .add(new HostFirstJarLoader(this))
                    .add(new HostFirstFolderLoader(this));
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
            if (super.isPluginValid(plugin)) {
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
    private static final class HostFirstJarLoader implements PluginLoader {
        private final PluginManager manager;

        HostFirstJarLoader(PluginManager manager) {
            this.manager = manager;
        }

        @Override
        public boolean isApplicable(Path pluginPath) {
            return Files.isRegularFile(pluginPath) && pluginPath.toString().toLowerCase(Locale.ROOT).endsWith(".jar");
        }

        @Override
        public ClassLoader loadPlugin(Path pluginPath, PluginDescriptor descriptor) {
            HostFirstClassLoader loader = new HostFirstClassLoader(manager, descriptor);
            loader.addFile(pluginPath.toFile());
            return loader;
        }
    }

    /** Expanded zip plugins: {@code classes/} and {@code lib/*.jar}. */
    private static final class HostFirstFolderLoader extends BasePluginLoader {
        HostFirstFolderLoader(PluginManager manager) {
            super(manager, new DefaultPluginClasspath());
        }

        @Override
        protected PluginClassLoader createPluginClassLoader(Path pluginPath, PluginDescriptor descriptor) {
            return new HostFirstClassLoader(pluginManager, descriptor);
        }
    }

    /** Plugin-first class loading, except for the packages plugin and host must share. */
    private static final class HostFirstClassLoader extends PluginClassLoader {
        HostFirstClassLoader(PluginManager manager, PluginDescriptor descriptor) {
            super(manager, descriptor, PluginHost.class.getClassLoader());
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
