package io.ssegateway.spi;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.util.Properties;

/**
 * The version of this SPI. Plugins declare the versions they work with in {@code Plugin-Requires} (jar manifest) or
 * {@code plugin.requires} ({@code plugin.properties} of a zip), as a SemVer expression such as {@code >=0.2.0}; the
 * gateway refuses a plugin whose expression this version does not satisfy.
 */
public final class SpiVersion {

    /** For example {@code 0.2.0}. */
    public static final String CURRENT = load();

    private SpiVersion() {
    }

    private static String load() {
        try (InputStream in = SpiVersion.class.getResourceAsStream("spi-version.properties")) {
            if (in == null) {
                throw new IllegalStateException("spi-version.properties is missing from the sse-gateway SPI jar");
            }
            Properties properties = new Properties();
            properties.load(in);
            return properties.getProperty("version");
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
