package io.loopflow.ingest;

import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.noClasses;
import static org.assertj.core.api.Assertions.assertThat;

import com.tngtech.archunit.core.domain.JavaClasses;
import com.tngtech.archunit.core.importer.ClassFileImporter;
import com.tngtech.archunit.core.importer.ImportOption;
import org.junit.jupiter.api.Test;

class ArchitectureTest {
    private final JavaClasses ingest = new ClassFileImporter()
            .withImportOption(ImportOption.Predefined.DO_NOT_INCLUDE_TESTS)
            .importPackages("io.loopflow.ingest");

    @Test
    void ingestShouldNeverUseKafkaStreams() {
        noClasses().that().resideInAPackage("io.loopflow.ingest..")
                .should().dependOnClassesThat().resideInAPackage("org.apache.kafka.streams..")
                .because("the gateway only produces; Kafka Streams belongs to the streams module (STYLE.md)")
                .check(ingest);
    }

    @Test
    void ingestShouldNotBeEmptyForTheRuleAbove() {
        // A rule checked against no classes passes whatever the code does.
        assertThat(ingest.contain(Gateway.class)).isTrue();
    }
}
