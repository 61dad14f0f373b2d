package io.ssegateway.host.testkit;

import io.ssegateway.spi.source.MessageSource;
import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.URISyntaxException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.jar.Attributes;
import java.util.jar.JarEntry;
import java.util.jar.JarOutputStream;
import java.util.jar.Manifest;
import java.util.stream.Stream;
import java.util.zip.ZipEntry;
import java.util.zip.ZipOutputStream;
import javax.tools.DiagnosticCollector;
import javax.tools.JavaCompiler;
import javax.tools.JavaFileObject;
import javax.tools.StandardJavaFileManager;
import javax.tools.ToolProvider;

/**
 * Fabricates plugins in a test: compiles Java sources with {@code javax.tools} against the SPI jar alone (plus any
 * library the plugin bundles), and packages them as a PF4J jar plugin (manifest) or zip plugin
 * ({@code plugin.properties} + {@code lib/}). Broken variants (no descriptor, wrong SPI version) on request.
 */
public final class PluginBuilder {

    private final String id;
    private final boolean zip;
    private String version = "1.0.0";
    private String requires = ">=0.2.0";
    private boolean descriptor = true;
    private final Map<String, String> sources = new LinkedHashMap<>();
    private final Map<String, List<String>> services = new LinkedHashMap<>();
    private final List<Path> libraries = new ArrayList<>();
    private final List<Path> compiledAgainst = new ArrayList<>();

    private PluginBuilder(String id, boolean zip) {
        this.id = id;
        this.zip = zip;
    }

    /** A jar plugin: classes and {@code META-INF/services} in one jar, descriptor in its manifest. */
    public static PluginBuilder jar(String id) {
        return new PluginBuilder(id, false);
    }

    /** A zip plugin: {@code plugin.properties} and {@code lib/<id>.jar} plus bundled libraries in {@code lib/}. */
    public static PluginBuilder zip(String id) {
        return new PluginBuilder(id, true);
    }

    public PluginBuilder version(String version) {
        this.version = version;
        return this;
    }

    /** The SPI versions the plugin declares it works with ({@code Plugin-Requires}). */
    public PluginBuilder requires(String requires) {
        this.requires = requires;
        return this;
    }

    /** Leaves out the plugin descriptor: a jar that is not a plugin. */
    public PluginBuilder withoutDescriptor() {
        this.descriptor = false;
        return this;
    }

    /** A Java source, by fully qualified class name. */
    public PluginBuilder source(String className, String code) {
        sources.put(className, code);
        return this;
    }

    /** Lists {@code implementation} in {@code META-INF/services/<spi interface>}. */
    public PluginBuilder service(Class<?> spiInterface, String implementation) {
        return service(spiInterface.getName(), implementation);
    }

    /** Lists {@code implementation} in {@code META-INF/services/<interfaceName>}, an interface that may not exist. */
    public PluginBuilder service(String interfaceName, String implementation) {
        services.computeIfAbsent(interfaceName, name -> new ArrayList<>()).add(implementation);
        return this;
    }

    /** A library the plugin bundles (zip: copied to {@code lib/}) and compiles against. */
    public PluginBuilder library(Path jar) {
        libraries.add(jar);
        return this;
    }

    /**
     * Compiles the plugin with {@code jar} ahead of the SPI on the class path, and ships nothing of it: stands in for
     * a plugin built against another SPI version (a stub of an SPI class as that version had it).
     */
    public PluginBuilder compiledAgainst(Path jar) {
        compiledAgainst.add(jar);
        return this;
    }

    /** The SPI classes' location: the only compile-time dependency a plugin has on the gateway. */
    public static Path spiLocation() {
        try {
            return Path.of(MessageSource.class.getProtectionDomain().getCodeSource().getLocation().toURI());
        } catch (URISyntaxException e) {
            throw new IllegalStateException(e);
        }
    }

    /** Compiles and packages the plugin into {@code pluginsDir}; returns the file. */
    public Path writeTo(Path pluginsDir) {
        try {
            Files.createDirectories(pluginsDir);
            Path classes = Files.createTempDirectory("plugin-classes-");
            compile(sources, classes, compiledAgainst, libraries);
            Path pluginJar = zip ? Files.createTempDirectory("plugin-lib-").resolve(id + ".jar")
                    : pluginsDir.resolve(id + "-" + version + ".jar");
            writeJar(pluginJar, classes, zip ? null : manifest(), services);
            if (!zip) {
                return pluginJar;
            }
            Path file = pluginsDir.resolve(id + "-" + version + ".zip");
            try (ZipOutputStream out = new ZipOutputStream(Files.newOutputStream(file))) {
                if (descriptor) {
                    out.putNextEntry(new ZipEntry("plugin.properties"));
                    out.write(("plugin.id=" + id + "\nplugin.version=" + version + "\nplugin.requires=" + requires
                            + "\nplugin.provider=tests\nplugin.description=fabricated by a test\n")
                            .getBytes(StandardCharsets.ISO_8859_1));
                }
                addFile(out, "lib/" + id + ".jar", pluginJar);
                for (Path library : libraries) {
                    addFile(out, "lib/" + library.getFileName(), library);
                }
            }
            return file;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Compiles a plain library jar (no plugin descriptor), e.g. a dependency a zip plugin bundles. */
    public static Path library(String name, Map<String, String> sources) {
        return library(name, sources, Map.of());
    }

    /** Like {@link #library(String, Map)}, with resources (path in the jar → text) beside the classes. */
    public static Path library(String name, Map<String, String> sources, Map<String, String> resources) {
        try {
            Path classes = Files.createTempDirectory("library-classes-");
            compile(sources, classes, List.of(), List.of());
            for (Map.Entry<String, String> resource : resources.entrySet()) {
                Path file = classes.resolve(resource.getKey());
                Files.createDirectories(file.getParent());
                Files.writeString(file, resource.getValue());
            }
            Path jar = Files.createTempDirectory("library-").resolve(name + ".jar");
            writeJar(jar, classes, null, Map.of());
            return jar;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private Manifest manifest() {
        Manifest manifest = new Manifest();
        Attributes attributes = manifest.getMainAttributes();
        attributes.put(Attributes.Name.MANIFEST_VERSION, "1.0");
        if (descriptor) {
            attributes.putValue("Plugin-Id", id);
            attributes.putValue("Plugin-Version", version);
            attributes.putValue("Plugin-Requires", requires);
            attributes.putValue("Plugin-Provider", "tests");
        }
        return manifest;
    }

    private static void compile(Map<String, String> sources, Path classes, List<Path> beforeSpi, List<Path> extraClasspath)
            throws IOException {
        Path sourceDir = Files.createTempDirectory("plugin-sources-");
        List<Path> files = new ArrayList<>();
        for (Map.Entry<String, String> source : sources.entrySet()) {
            Path file = sourceDir.resolve(source.getKey().replace('.', '/') + ".java");
            Files.createDirectories(file.getParent());
            Files.writeString(file, source.getValue());
            files.add(file);
        }
        List<Path> classpath = new ArrayList<>(beforeSpi);
        classpath.add(spiLocation());
        classpath.addAll(extraClasspath);
        JavaCompiler compiler = ToolProvider.getSystemJavaCompiler();
        DiagnosticCollector<JavaFileObject> diagnostics = new DiagnosticCollector<>();
        try (StandardJavaFileManager fileManager = compiler.getStandardFileManager(diagnostics, Locale.ROOT,
                StandardCharsets.UTF_8)) {
            List<String> options = List.of("--release", "21", "-d", classes.toString(),
                    "-classpath", String.join(java.io.File.pathSeparator, classpath.stream().map(Path::toString).toList()));
            boolean ok = compiler.getTask(null, fileManager, diagnostics, options, null,
                    fileManager.getJavaFileObjectsFromPaths(files)).call();
            if (!ok) {
                throw new AssertionError("plugin sources do not compile against the SPI alone: " + diagnostics.getDiagnostics());
            }
        }
    }

    private static void writeJar(Path jar, Path classes, Manifest manifest, Map<String, List<String>> services)
            throws IOException {
        try (OutputStream file = Files.newOutputStream(jar);
             JarOutputStream out = manifest == null ? new JarOutputStream(file) : new JarOutputStream(file, manifest);
             Stream<Path> walk = Files.walk(classes)) {
            for (Path path : walk.filter(Files::isRegularFile).sorted().toList()) {
                out.putNextEntry(new JarEntry(classes.relativize(path).toString().replace('\\', '/')));
                Files.copy(path, out);
            }
            for (Map.Entry<String, List<String>> service : services.entrySet()) {
                out.putNextEntry(new JarEntry("META-INF/services/" + service.getKey()));
                out.write((String.join("\n", service.getValue()) + "\n").getBytes(StandardCharsets.UTF_8));
            }
        }
    }

    private static void addFile(ZipOutputStream out, String name, Path file) throws IOException {
        out.putNextEntry(new ZipEntry(name));
        Files.copy(file, out);
    }
}
