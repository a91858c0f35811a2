package io.loopflow.streams;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Path;
import io.loopflow.streams.window.KpiWindow;
import java.time.Duration;
import java.time.ZoneOffset;
import java.util.List;
import org.junit.jupiter.api.Test;

class ProcessorConfigTest {
    private final ProcessorConfig defaults = ProcessorConfig.defaults("127.0.0.1:9092", Path.of("state"));

    @Test
    void shouldHaveTheDocumentedDefaults() {
        assertThat(defaults.applicationId()).isEqualTo("loopflow-streams");
        assertThat(defaults.flowWindow()).isEqualTo(Duration.ofMinutes(1));
        assertThat(defaults.kpiWindows()).containsExactly(KpiWindow.of(Duration.ofHours(1)), KpiWindow.DAY);
        assertThat(defaults.timeZone()).isEqualTo(ZoneOffset.UTC);
        assertThat(defaults.lagMax()).isEqualTo(Duration.ofHours(1));
        assertThat(defaults.restateHorizon()).isEqualTo(Duration.ofDays(35));
        assertThat(defaults.grace()).isEqualTo(Duration.ofMinutes(5));
        assertThat(defaults.idleTimeout()).isEqualTo(Duration.ofMinutes(15));
        assertThat(defaults.gapMax()).isEqualTo(Duration.ofMinutes(15));
        assertThat(defaults.commitInterval()).isEqualTo(Duration.ofSeconds(1));
        assertThat(defaults.httpPort()).isEqualTo(8080);
    }

    @Test
    void publishesEveryHalfCommitIntervalAndNeverMoreOftenThanEveryMillisecond() {
        assertThat(defaults.publishInterval()).isEqualTo(Duration.ofMillis(500));
        assertThat(defaults.withCommitInterval(Duration.ofSeconds(30)).publishInterval()).isEqualTo(Duration.ofSeconds(15));
        assertThat(defaults.withCommitInterval(Duration.ofMillis(1)).publishInterval()).isEqualTo(Duration.ofMillis(1));
    }

    @Test
    void shouldCopyWithOneValueChanged() {
        ProcessorConfig c = defaults.withGrace(Duration.ZERO).withHttpPort(0).withKpiWindowLengths(List.of(Duration.ofMinutes(15)));

        assertThat(c.grace()).isZero();
        assertThat(c.httpPort()).isZero();
        assertThat(c.kpiWindows()).containsExactly(KpiWindow.of(Duration.ofMinutes(15)));
        assertThat(c.idleTimeout()).isEqualTo(defaults.idleTimeout());
    }

    @Test
    void shouldRefuseBadValuesNamingTheKey() {
        assertThatThrownBy(() -> defaults.withGrace(Duration.ofSeconds(-1))).hasMessage("streams.grace must not be negative");
        assertThatThrownBy(() -> defaults.withFlowWindow(Duration.ZERO)).hasMessageStartingWith("streams.flow-window");
        assertThatThrownBy(() -> defaults.withKpiWindowLengths(List.of(Duration.ofSeconds(90)))).hasMessageStartingWith("streams.kpi-windows must be multiples");
        assertThatThrownBy(() -> defaults.withKpiWindows(List.of())).hasMessageStartingWith("streams.kpi-windows");
        assertThatThrownBy(() -> defaults.withIdleTimeout(null)).hasMessageStartingWith("streams.idle-timeout");
        assertThatThrownBy(() -> defaults.withGapMax(Duration.ZERO)).hasMessageStartingWith("streams.gap-max");
        assertThatThrownBy(() -> defaults.withCommitInterval(Duration.ZERO)).hasMessageStartingWith("streams.commit-interval");
        assertThatThrownBy(() -> defaults.withCommitInterval(Duration.ofMinutes(5).plusMillis(1)))
                .hasMessageStartingWith("streams.commit-interval must be at most PT5M");
        assertThatThrownBy(() -> defaults.withHttpPort(-2)).hasMessageStartingWith("streams.http-port");
        assertThatThrownBy(() -> defaults.withKafkaBootstrap(" ")).hasMessageStartingWith("streams.kafka-bootstrap");
        assertThatThrownBy(() -> defaults.withApplicationId("a b")).hasMessageStartingWith("streams.application-id");
        assertThatThrownBy(() -> defaults.withStateDir(null)).hasMessageStartingWith("streams.state-dir");
        assertThatThrownBy(() -> defaults.withTimeZone(null)).hasMessageStartingWith("streams.time-zone");
        assertThatThrownBy(() -> defaults.withLagMax(Duration.ZERO)).hasMessageStartingWith("streams.lag-max");
        assertThatThrownBy(() -> defaults.withRestateHorizon(Duration.ofDays(-1))).hasMessageStartingWith("streams.restate-horizon");
        assertThatThrownBy(() -> defaults.withKpiWindowLengths(List.of(Duration.ofHours(1))).withFlowWindow(Duration.ofMinutes(7)))
                .hasMessageStartingWith("streams.kpi-windows must be multiples");
        assertThatThrownBy(() -> defaults.withFlowWindow(Duration.ofMinutes(20)).withKpiWindows(List.of(KpiWindow.MONTH)))
                .hasMessageStartingWith("streams.flow-window must divide 15 minutes");
        assertThatThrownBy(() -> KpiWindow.of(Duration.ofDays(2))).hasMessageContaining("1d (calendar day), 1mo (calendar month)");
    }
}
