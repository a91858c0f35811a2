package io.loopflow.sink;

import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.noClasses;

import com.tngtech.archunit.core.domain.JavaClasses;
import com.tngtech.archunit.core.importer.ClassFileImporter;
import com.tngtech.archunit.core.importer.ImportOption;
import org.junit.jupiter.api.Test;

class ArchitectureTest {
    private final JavaClasses sink = new ClassFileImporter()
            .withImportOption(ImportOption.Predefined.DO_NOT_INCLUDE_TESTS)
            .importPackages("io.loopflow.sink");

    @Test
    void sinkUsesNeitherKafkaStreamsNorPahoNorTheAsynchronousWriteApi() {
        noClasses().should().dependOnClassesThat().resideInAnyPackage("org.apache.kafka.streams..", "org.eclipse.paho..")
                .check(sink);
        // The asynchronous WriteApi drops points silently when its buffer overflows.
        noClasses().should().dependOnClassesThat().haveFullyQualifiedName("com.influxdb.client.WriteApi")
                .check(sink);
    }
}
