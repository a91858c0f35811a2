package io.loopflow.streams;

import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.noClasses;

import com.tngtech.archunit.core.domain.JavaClasses;
import com.tngtech.archunit.core.importer.ClassFileImporter;
import com.tngtech.archunit.core.importer.ImportOption;
import org.junit.jupiter.api.Test;

/** The house rules of STYLE.md that concern this module. */
class ArchitectureTest {
    private final JavaClasses classes = new ClassFileImporter().withImportOption(ImportOption.Predefined.DO_NOT_INCLUDE_TESTS)
            .importPackages("io.loopflow.streams");

    @Test
    void streamsNeverImportsPahoNorTheInfluxClient() {
        noClasses().should().dependOnClassesThat().resideInAnyPackage("org.eclipse.paho..", "com.influxdb..").check(classes);
    }

    @Test
    void pureLogicKnowsNothingOfKafka() {
        noClasses().that().resideInAnyPackage("io.loopflow.streams.crediting..", "io.loopflow.streams.window..")
                .should().dependOnClassesThat().resideInAnyPackage("org.apache.kafka..").check(classes);
    }
}
