package io.ssegateway.spi;

import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.classes;

import com.tngtech.archunit.core.domain.JavaClasses;
import com.tngtech.archunit.core.importer.ClassFileImporter;
import com.tngtech.archunit.core.importer.ImportOption;
import org.junit.jupiter.api.Test;

/** The SPI is the plugins' only compile-time contract: it may not drag any library onto their class path. */
class SpiArchitectureTest {

    @Test
    void spiDependsOnTheJdkOnly() {
        JavaClasses spi = new ClassFileImporter()
                .withImportOption(ImportOption.Predefined.DO_NOT_INCLUDE_TESTS)
                .importPackages("io.ssegateway.spi");
        classes().should().onlyDependOnClassesThat().resideInAnyPackage("io.ssegateway.spi..", "java..")
                .check(spi);
    }
}
