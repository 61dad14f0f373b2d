package io.ssegateway.distribution;

import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.noClasses;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.tngtech.archunit.core.domain.JavaClasses;
import com.tngtech.archunit.core.importer.ClassFileImporter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * Plugins, and the libraries they bundle, are built against the SPI alone: a class of the host on a plugin's compile
 * path would work in tests (where the host is on the class path) and fail in the distribution, where a plugin's class
 * loader sees only the SPI. Checked on the compiled classes of every plugin module and of the example plugin.
 */
class PluginArchitectureIT {

    private static final List<String> PLUGIN_MODULES = List.of("plugins/kit", "plugins/redis-support", "plugins/redis",
            "plugins/gcp", "plugins/channel-registry", "plugins/jwt", "examples/spool-plugin");

    @Test
    void pluginsNeverUseTheHost() {
        Path root = Path.of(System.getProperty("project.root", ".."));
        ClassFileImporter importer = new ClassFileImporter();
        for (String module : PLUGIN_MODULES) {
            Path classes = root.resolve(module).resolve("target/classes");
            assertTrue(Files.isDirectory(classes), "not built: " + classes);
            JavaClasses plugin = importer.importPath(classes);
            assertTrue(plugin.size() > 0, "no classes in " + classes);
            noClasses().should().dependOnClassesThat().resideInAPackage("io.ssegateway.host..")
                    .because(module + " is loaded next to the host, which it cannot see; it may use the SPI and its own libraries")
                    .check(plugin);
        }
    }
}
