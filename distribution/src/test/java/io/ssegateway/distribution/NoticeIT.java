package io.ssegateway.distribution;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.zip.ZipEntry;
import java.util.zip.ZipFile;
import java.util.zip.ZipInputStream;
import org.junit.jupiter.api.Test;

/**
 * The zip carries LICENSE and NOTICE at its top, and NOTICE names every third-party library the zip bundles (in lib/
 * and inside the plugin zips), so that a new dependency cannot ship without its license being listed.
 */
class NoticeIT {

    /** {@code jackson-databind-2.21.3.jar} names the artifact {@code jackson-databind}: the name ends before the version. */
    private static final Pattern JAR_NAME = Pattern.compile("(?:.*/)?([^/]+?)-\\d[^/]*\\.jar");

    @Test
    void licenseAndNoticeAreAtTheTopAndNoticeNamesEveryBundledLibrary() throws IOException {
        Path zip = Path.of(System.getProperty("distribution.zip"));
        try (ZipFile distribution = new ZipFile(zip.toFile())) {
            String top = topFolder(distribution);
            String license = text(distribution, top + "LICENSE");
            assertTrue(license.contains("Apache License") && license.contains("Version 2.0, January 2004"), license);
            String notice = text(distribution, top + "NOTICE");

            TreeSet<String> bundled = new TreeSet<>();
            for (ZipEntry entry : distribution.stream().toList()) {
                if (entry.getName().startsWith(top + "lib/") && entry.getName().endsWith(".jar")) {
                    bundled.add(artifactName(entry.getName()));
                } else if (entry.getName().startsWith(top + "plugins/") && entry.getName().endsWith(".zip")) {
                    try (InputStream plugin = distribution.getInputStream(entry)) {
                        bundled.addAll(libraryNames(plugin));
                    }
                }
            }
            bundled.removeIf(name -> name.startsWith("sse-gateway-"));
            assertTrue(bundled.contains("helidon-webserver") && bundled.contains("lettuce-core")
                    && bundled.contains("google-cloud-pubsub"), "lib/ and the plugin zips were not both read: " + bundled);

            List<String> missing = new ArrayList<>();
            for (String name : bundled) {
                if (!Pattern.compile("(?<![\\w.-])" + Pattern.quote(name) + "(?![\\w-])").matcher(notice).find()) {
                    missing.add(name);
                }
            }
            assertEquals(List.of(), missing, "bundled libraries that NOTICE does not name (add them with their license)");
        }
    }

    private static String topFolder(ZipFile distribution) {
        String first = distribution.entries().nextElement().getName();
        assertFalse(first.indexOf('/') < 0, "the zip has no top folder: " + first);
        return first.substring(0, first.indexOf('/') + 1);
    }

    private static String text(ZipFile zip, String name) throws IOException {
        ZipEntry entry = zip.getEntry(name);
        assertTrue(entry != null, "no " + name + " in the zip");
        try (InputStream in = zip.getInputStream(entry)) {
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        }
    }

    private static List<String> libraryNames(InputStream pluginZip) throws IOException {
        List<String> names = new ArrayList<>();
        ZipInputStream plugin = new ZipInputStream(pluginZip);
        for (ZipEntry entry = plugin.getNextEntry(); entry != null; entry = plugin.getNextEntry()) {
            if (entry.getName().endsWith(".jar")) {
                names.add(artifactName(entry.getName()));
            }
        }
        return names;
    }

    private static String artifactName(String jarPath) {
        Matcher matcher = JAR_NAME.matcher(jarPath);
        assertTrue(matcher.matches(), "not a versioned jar: " + jarPath);
        return matcher.group(1);
    }
}
