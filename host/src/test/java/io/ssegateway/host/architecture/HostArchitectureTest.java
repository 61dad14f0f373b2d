package io.ssegateway.host.architecture;

import static com.tngtech.archunit.library.Architectures.layeredArchitecture;
import static com.tngtech.archunit.library.dependencies.SlicesRuleDefinition.slices;

import com.tngtech.archunit.core.domain.JavaClass;
import com.tngtech.archunit.core.domain.JavaClasses;
import com.tngtech.archunit.core.importer.ClassFileImporter;
import com.tngtech.archunit.core.importer.ImportOption;
import com.tngtech.archunit.library.dependencies.SliceAssignment;
import com.tngtech.archunit.library.dependencies.SliceIdentifier;
import org.junit.jupiter.api.Test;

/**
 * The host's packages follow the data flow in one direction (docs/architecture.md has the map):
 * {@code launcher} → {@code config} → {@code plugin} and the composition root {@code io.ssegateway.host} →
 * the HTTP faces {@code admin} and {@code sse} → {@code source} → {@code channel} → {@code auth} → {@code http},
 * {@code core};
 * {@code builtin} holds plugins that ship inside the host and sees nothing of it.
 */
class HostArchitectureTest {

    private static final String HOST = "io.ssegateway.host";
    private static final JavaClasses HOST_CLASSES = new ClassFileImporter()
            .withImportOption(ImportOption.Predefined.DO_NOT_INCLUDE_TESTS)
            .importPackages(HOST);

    @Test
    void packagesFormNoCycle() {
        slices().assignedFrom(byPackage()).should().beFreeOfCycles().check(HOST_CLASSES);
    }

    @Test
    void packagesOnlyDependDownwards() {
        layeredArchitecture().consideringOnlyDependenciesInLayers()
                .layer("launcher").definedBy(HOST + ".launcher..")
                .layer("config").definedBy(HOST + ".config..")
                .layer("plugin").definedBy(HOST + ".plugin..")
                .layer("composition root").definedBy(HOST)
                .layer("admin").definedBy(HOST + ".admin..")
                .layer("sse").definedBy(HOST + ".sse..")
                .layer("source").definedBy(HOST + ".source..")
                .layer("channel").definedBy(HOST + ".channel..")
                .layer("auth").definedBy(HOST + ".auth..")
                .layer("http").definedBy(HOST + ".http..")
                .layer("core").definedBy(HOST + ".core..")
                .layer("builtin").definedBy(HOST + ".builtin..")
                .whereLayer("launcher").mayNotBeAccessedByAnyLayer()
                .whereLayer("config").mayOnlyBeAccessedByLayers("launcher")
                .whereLayer("plugin").mayOnlyBeAccessedByLayers("launcher", "config")
                .whereLayer("composition root").mayOnlyBeAccessedByLayers("launcher", "config")
                .whereLayer("admin").mayOnlyBeAccessedByLayers("composition root")
                .whereLayer("sse").mayOnlyBeAccessedByLayers("composition root")
                .whereLayer("source").mayOnlyBeAccessedByLayers("composition root", "admin")
                .whereLayer("channel").mayOnlyBeAccessedByLayers("composition root", "admin", "sse", "source")
                .whereLayer("auth").mayOnlyBeAccessedByLayers("composition root", "admin", "sse", "source", "channel")
                .whereLayer("http").mayOnlyBeAccessedByLayers("composition root", "admin", "sse")
                .whereLayer("core").mayOnlyBeAccessedByLayers("launcher", "config", "plugin", "composition root",
                        "admin", "sse", "source", "channel", "auth", "http")
                .whereLayer("builtin").mayOnlyBeAccessedByLayers("launcher", "config", "plugin", "composition root")
                .check(HOST_CLASSES);
    }

    /** One slice per package, the root package included (a {@code (*)} pattern would leave it out). */
    private static SliceAssignment byPackage() {
        return new SliceAssignment() {
            @Override
            public SliceIdentifier getIdentifierOf(JavaClass javaClass) {
                return SliceIdentifier.of(javaClass.getPackageName());
            }

            @Override
            public String getDescription() {
                return "host packages";
            }
        };
    }
}
