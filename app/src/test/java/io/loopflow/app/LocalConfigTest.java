package io.loopflow.app;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.Test;

class LocalConfigTest {

    private static LocalConfig config(int mqttPort, int partitions, Duration grace, List<Duration> kpi, double simSpeed) {
        return new LocalConfig(mqttPort, 9092, 8080, Path.of("data"), Duration.ofMinutes(1), kpi, grace,
                Duration.ofMinutes(15), MqttPersistence.MEMORY, partitions, Duration.ofSeconds(30), false, simSpeed, Duration.ZERO);
    }

    @Test
    void acceptsTheDocumentedDefaults() {
        LocalConfig c = config(1883, 1, Duration.ofMinutes(5), List.of(Duration.ofHours(1), Duration.ofDays(1)), 1);
        assertThat(c.kpiWindows()).containsExactly(io.loopflow.streams.window.KpiWindow.of(Duration.ofHours(1)), io.loopflow.streams.window.KpiWindow.DAY);
        assertThat(c.minTs()).isEqualTo(Instant.parse("2000-01-01T00:00:00Z"));
    }

    @Test
    void namesTheFlagOfAMinTsInTheFuture() {
        assertThatThrownBy(() -> new LocalConfig(1883, 9092, 8080, Path.of("data"), Duration.ofMinutes(1), List.of(Duration.ofHours(1)),
                Duration.ZERO, Duration.ofMinutes(15), MqttPersistence.MEMORY, 1, Duration.ofSeconds(30), false, 1, Duration.ZERO,
                Instant.now().plusSeconds(3600))).hasMessageStartingWith("--min-ts must not be in the future");
    }

    @Test
    void localTakesMinTsFromItsFlag() {
        LocalCommand local = (LocalCommand) Loopflow.commandLine().parseArgs("local", "--min-ts", "2015-01-01")
                .subcommand().commandSpec().userObject();

        assertThat(local.minTs).isEqualTo(Instant.parse("2015-01-01T00:00:00Z"));
    }

    @Test
    void namesTheFlagOfABadValue() {
        List<Duration> kpi = List.of(Duration.ofHours(1));
        assertThatThrownBy(() -> config(70000, 1, Duration.ZERO, kpi, 1)).hasMessageStartingWith("--mqtt-port");
        assertThatThrownBy(() -> config(1883, 0, Duration.ZERO, kpi, 1)).hasMessageStartingWith("--partitions");
        assertThatThrownBy(() -> config(1883, 1, Duration.ofSeconds(-1), kpi, 1)).hasMessageStartingWith("--grace");
        assertThatThrownBy(() -> config(1883, 1, Duration.ZERO, List.of(), 1)).hasMessageStartingWith("--kpi-windows");
        assertThatThrownBy(() -> config(1883, 1, Duration.ZERO, kpi, 0.5)).hasMessageStartingWith("--sim-speed");
        assertThatThrownBy(() -> new LocalConfig(1883, 9092, 8080, Path.of("data"), Duration.ofSeconds(1), List.of(Duration.ofHours(1)),
                Duration.ZERO, Duration.ofMinutes(15), MqttPersistence.MEMORY, 1, Duration.ofSeconds(30), false, 1, Duration.ZERO,
                Instant.parse("2000-01-01T00:00:00Z")))
                .hasMessageStartingWith("--flow-window (PT1S) and surplus.horizon (PT24H) would keep 86,401 out.storage flow windows");
    }
}
