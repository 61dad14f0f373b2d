package io.ssegateway.host.plugin;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.net.URISyntaxException;
import java.net.URL;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Enumeration;
import java.util.List;
import java.util.Properties;
import java.util.TreeSet;
import java.util.zip.ZipEntry;
import java.util.zip.ZipFile;

/**
 * What a plugin's own jars and class folders hold, read from the files (not through class loading): the service files
 * it lists under {@code META-INF/services/}, and a copy of the SPI it bundles. For the messages that explain why a
 * plugin provides nothing, or does not fit this gateway's SPI.
 */
final class PluginContents {

    static final String SERVICES = "META-INF/services/";
    /** The resource that makes a jar the SPI, with its version. */
    static final String SPI_VERSION = "io/ssegateway/spi/spi-version.properties";

    /** An SPI jar inside a plugin: its file name and version. */
    record BundledSpi(String file, String version) {
    }

    private final List<Path> locations;

    private PluginContents(List<Path> locations) {
        this.locations = locations;
    }

    /** The jars and folders of a plugin's class path ({@code file:} URLs; others are ignored). */
    static PluginContents of(URL[] classPath) {
        List<Path> locations = new ArrayList<>();
        for (URL url : classPath) {
            if ("file".equals(url.getProtocol())) {
                try {
                    locations.add(Path.of(url.toURI()));
                } catch (URISyntaxException | IllegalArgumentException e) {
                    // not a local file: nothing to read
                }
            }
        }
        return new PluginContents(locations);
    }

    /** The names of the service files, such as {@code io.ssegateway.spi.source.SourceFactory}, sorted. */
    List<String> serviceFiles() {
        TreeSet<String> names = new TreeSet<>();
        for (Path location : locations) {
            if (Files.isDirectory(location)) {
                Path services = location.resolve(SERVICES);
                if (Files.isDirectory(services)) {
                    try (DirectoryStream<Path> files = Files.newDirectoryStream(services)) {
                        files.forEach(file -> names.add(file.getFileName().toString()));
                    } catch (IOException e) {
                        throw new UncheckedIOException(e);
                    }
                }
            } else if (Files.isRegularFile(location)) {
                forEachEntry(location, entry -> {
                    String name = entry.getName();
                    if (name.startsWith(SERVICES) && name.length() > SERVICES.length() && !entry.isDirectory()) {
                        names.add(name.substring(SERVICES.length()));
                    }
                });
            }
        }
        return List.copyOf(names);
    }

    /** The SPI jar the plugin bundles, or {@code null}. */
    BundledSpi bundledSpi() {
        for (Path location : locations) {
            if (!Files.isRegularFile(location)) {
                continue;
            }
            try (ZipFile jar = new ZipFile(location.toFile())) {
                ZipEntry entry = jar.getEntry(SPI_VERSION);
                if (entry != null) {
                    Properties properties = new Properties();
                    try (InputStream in = jar.getInputStream(entry)) {
                        properties.load(in);
                    }
                    return new BundledSpi(location.getFileName().toString(), properties.getProperty("version", "?"));
                }
            } catch (IOException e) {
                // unreadable: PF4J reports a broken jar itself
            }
        }
        return null;
    }

    private static void forEachEntry(Path jar, java.util.function.Consumer<ZipEntry> action) {
        try (ZipFile zip = new ZipFile(jar.toFile())) {
            for (Enumeration<? extends ZipEntry> entries = zip.entries(); entries.hasMoreElements(); ) {
                action.accept(entries.nextElement());
            }
        } catch (IOException e) {
            // unreadable: PF4J reports a broken jar itself
        }
    }
}
