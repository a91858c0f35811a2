package io.loopflow.sink;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.Test;

class SinkConfigTest {
    private final SinkConfig valid = SinkConfig.defaults("127.0.0.1:9092", "http://influxdb:8086", "loopflow", "loopflow", "secret");

    @Test
    void defaultsAreTheDocumentedOnes() {
        assertThat(valid.groupId()).isEqualTo("loopflow-sink");
        assertThat(valid.flushInterval()).isEqualTo(Duration.ofSeconds(1));
        assertThat(valid.batchSize()).isEqualTo(5000);
        assertThat(valid.maxRetryTime()).isEqualTo(Duration.ofMinutes(1));
        assertThat(valid.lagGroups()).containsExactly("loopflow-streams", "loopflow-streams-surplus", "loopflow-alert-publisher", "loopflow-sink");
    }

    @Test
    void lagGroupsAreParsedFromCommasAndAlwaysIncludeTheSinksOwnGroup() {
        SinkConfig config = valid.withGroupId("sink-b").withLagGroups(SinkConfig.parseLagGroups(" loopflow-streams , other-app"));

        assertThat(config.lagGroups()).containsExactly("loopflow-streams", "other-app");
        assertThat(config.sampledGroups()).containsExactly("loopflow-streams", "other-app", "sink-b");
        assertThat(valid.withLagGroups(SinkConfig.parseLagGroups("")).sampledGroups()).containsExactly("loopflow-sink");
    }

    @Test
    void badLagGroupsFailNamingTheKey() {
        assertThatThrownBy(() -> valid.withLagGroups(SinkConfig.parseLagGroups("a,,b"))).hasMessageContaining("sink.lag-groups");
        assertThatThrownBy(() -> valid.withLagGroups(SinkConfig.parseLagGroups("a,a"))).hasMessageContaining("sink.lag-groups names a twice");
        assertThatThrownBy(() -> valid.withLagGroups(null)).hasMessageContaining("sink.lag-groups");
    }

    @Test
    void badValuesFailNamingTheirKey() {
        assertThatThrownBy(() -> valid.withInfluxUrl("influxdb:8086")).hasMessageContaining("influx.url");
        assertThatThrownBy(() -> valid.withInfluxUrl(" ")).hasMessageContaining("influx.url");
        assertThatThrownBy(() -> SinkConfig.defaults("k:9092", "http://i:8086", "", "b", "t")).hasMessageContaining("influx.org");
        assertThatThrownBy(() -> SinkConfig.defaults("k:9092", "http://i:8086", "o", null, "t")).hasMessageContaining("influx.bucket");
        assertThatThrownBy(() -> SinkConfig.defaults("k:9092", "http://i:8086", "o", "b", null)).hasMessageContaining("influx.token");
        assertThatThrownBy(() -> SinkConfig.defaults("", "http://i:8086", "o", "b", "t")).hasMessageContaining("kafka.bootstrap");
        assertThatThrownBy(() -> valid.withGroupId("")).hasMessageContaining("sink.group-id");
        assertThatThrownBy(() -> valid.withBatchSize(0)).hasMessageContaining("sink.batch-size must be 1..50000, got 0");
        assertThatThrownBy(() -> valid.withFlushInterval(Duration.ZERO)).hasMessageContaining("sink.flush-interval");
        assertThatThrownBy(() -> valid.withMaxRetryTime(Duration.ofSeconds(-1))).hasMessageContaining("sink.max-retry-time");
    }

    @Test
    void environmentGivesConnectionSettingsAndAMissingOneIsNamed() {
        SinkConfig fromEnv = SinkConfig.fromEnvironment(Map.of("LOOPFLOW_KAFKA_BOOTSTRAP", "kafka:9092", "LOOPFLOW_INFLUX_URL", "http://influxdb:8086",
                "LOOPFLOW_INFLUX_ORG", "loopflow", "LOOPFLOW_INFLUX_BUCKET", "loopflow"));

        assertThat(fromEnv.kafkaBootstrap()).isEqualTo("kafka:9092");
        assertThat(fromEnv.token()).isEmpty();
        assertThat(fromEnv.lagGroups()).isEqualTo(SinkConfig.DEFAULT_LAG_GROUPS);
        assertThat(SinkConfig.fromEnvironment(Map.of("LOOPFLOW_KAFKA_BOOTSTRAP", "kafka:9092", "LOOPFLOW_INFLUX_URL", "http://influxdb:8086",
                "LOOPFLOW_INFLUX_ORG", "loopflow", "LOOPFLOW_INFLUX_BUCKET", "loopflow", "LOOPFLOW_LAG_GROUPS", "x,y")).lagGroups()).containsExactly("x", "y");
        assertThatThrownBy(() -> SinkConfig.fromEnvironment(Map.of("LOOPFLOW_KAFKA_BOOTSTRAP", "kafka:9092")))
                .hasMessageContaining("influx.url");
    }

    @Test
    void tokenIsNeverPrinted() {
        assertThat(valid.toString()).doesNotContain("secret").contains("token=****");
    }
}
