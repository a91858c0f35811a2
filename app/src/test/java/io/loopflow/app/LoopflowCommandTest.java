package io.loopflow.app;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.assertThatIllegalArgumentException;

import io.loopflow.ingest.MqttLogin;
import io.loopflow.ingest.MqttTls;
import io.loopflow.ingest.alerts.AlertPublisherConfig;
import io.loopflow.sink.SinkConfig;
import io.loopflow.streams.ProcessorConfig;
import io.loopflow.streams.StreamProcessor;
import io.loopflow.streams.window.KpiWindow;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.Test;
import picocli.CommandLine;
import picocli.CommandLine.ParseResult;

/** The command line as a user meets it: defaults, parsing, and errors that name the flag. Nothing is started. */
class LoopflowCommandTest {

    @Test
    void localHasTheDocumentedDefaults() {
        CommandLine cli = Loopflow.commandLine();
        ParseResult result = cli.parseArgs("local");
        LocalCommand local = (LocalCommand) result.subcommand().commandSpec().userObject();

        assertThat(local.mqttPort).isEqualTo(1883);
        assertThat(local.kafkaPort).isEqualTo(9092);
        assertThat(local.httpPort).isEqualTo(8080);
        assertThat(local.dataDir).hasToString("./loopflow-data");
        assertThat(local.windows.flowWindow).isEqualTo(Duration.ofMinutes(1));
        assertThat(local.windows.kpiWindows).containsExactly(KpiWindow.of(Duration.ofHours(1)), KpiWindow.DAY);
        assertThat(local.windows.timeZone).isNull();
        assertThat(local.windows.lagMax).isEqualTo(Duration.ofHours(1));
        assertThat(local.windows.restateHorizon).isEqualTo(Duration.ofDays(35));
        assertThat(local.windows.grace).isEqualTo(Duration.ofMinutes(5));
        assertThat(local.windows.idleTimeout).isEqualTo(Duration.ofMinutes(15));
        assertThat(local.mqttPersistence).isEqualTo(MqttPersistence.MEMORY);
        assertThat(local.partitions).isEqualTo(1);
        assertThat(local.simulate).isFalse();
    }

    @Test
    void readsCalendarWindowsTheTimeZoneAndTheLateDataSettings() {
        ParseResult result = Loopflow.commandLine().parseArgs("streams", "--kpi-windows", "1h,1d,1mo", "--time-zone", "Europe/Copenhagen",
                "--lag-max", "30m", "--restate-horizon", "7d");
        StreamsCommand streams = (StreamsCommand) result.subcommand().commandSpec().userObject();

        assertThat(streams.windows.kpiWindows).containsExactly(KpiWindow.of(Duration.ofHours(1)), KpiWindow.DAY, KpiWindow.MONTH);
        assertThat(streams.windows.timeZone).isEqualTo(java.time.ZoneId.of("Europe/Copenhagen"));
        assertThat(streams.windows.lagMax).isEqualTo(Duration.ofMinutes(30));
        assertThat(streams.windows.restateHorizon).isEqualTo(Duration.ofDays(7));
    }

    @Test
    void refusesABadTimeZoneOrWindowNamingTheFlag() {
        assertThatThrownBy(() -> Loopflow.commandLine().parseArgs("streams", "--time-zone", "Europe/Kalundborg"))
                .hasMessageContaining("--time-zone").hasMessageContaining("not an IANA time zone");
        assertThatThrownBy(() -> Loopflow.commandLine().parseArgs("streams", "--time-zone", "+01:00"))
                .hasMessageContaining("--time-zone").hasMessageContaining("fixed offset");
        assertThatThrownBy(() -> Loopflow.commandLine().parseArgs("local", "--kpi-windows", "1h,2d"))
                .hasMessageContaining("--kpi-windows").hasMessageContaining("1d (calendar day), 1mo (calendar month)");
    }

    @Test
    void localReadsFlagsIncludingDurationListsAndCaseInsensitivePersistence() {
        CommandLine cli = Loopflow.commandLine();
        ParseResult result = cli.parseArgs("local", "--simulate", "--flow-window", "10s", "--kpi-windows", "1m,1h",
                "--grace", "0s", "--mqtt-persistence", "file", "--partitions", "3", "--sim-speed", "0");
        LocalCommand local = (LocalCommand) result.subcommand().commandSpec().userObject();

        assertThat(local.simulate).isTrue();
        assertThat(local.windows.flowWindow).isEqualTo(Duration.ofSeconds(10));
        assertThat(local.windows.kpiWindows).containsExactly(KpiWindow.of(Duration.ofMinutes(1)), KpiWindow.of(Duration.ofHours(1)));
        assertThat(local.windows.grace).isZero();
        assertThat(local.mqttPersistence).isEqualTo(MqttPersistence.FILE);
        assertThat(local.partitions).isEqualTo(3);
        assertThat(local.simSpeed).isZero();
    }

    @Test
    void gatewayAndSinkServeHealthOnTheDocumentedDefaultPort() {
        GatewayCommand gateway = (GatewayCommand) Loopflow.commandLine().parseArgs("gateway").subcommand().commandSpec().userObject();
        SinkCommand sink = (SinkCommand) Loopflow.commandLine().parseArgs("sink", "--health-port", "-1").subcommand().commandSpec().userObject();

        assertThat(gateway.healthPort).isEqualTo(8081);
        assertThat(sink.healthPort).isEqualTo(HealthServer.OFF);
    }

    @Test
    void aBadHealthPortFailsBeforeAnythingStarts() {
        assertThat(Loopflow.commandLine().execute("sink", "--health-port", "-2")).isEqualTo(CommandLine.ExitCode.USAGE);
    }

    @Test
    void aBadDurationFailsAtStartNamingTheFlag() {
        CommandLine cli = Loopflow.commandLine();
        StringWriter err = new StringWriter();
        cli.setErr(new PrintWriter(err));

        int exit = cli.execute("local", "--grace", "5 minutes");

        assertThat(exit).isEqualTo(CommandLine.ExitCode.USAGE);
        assertThat(err.toString()).contains("--grace").contains("'5 minutes' is not a duration");
    }

    @Test
    void anInvalidConfigurationValueFailsBeforeAnythingStarts() {
        CommandLine cli = Loopflow.commandLine();
        int exit = cli.execute("local", "--partitions", "0");
        assertThat(exit).isEqualTo(CommandLine.ExitCode.USAGE);
    }

    @Test
    void sinkReadsTheEnvironmentVariablesOfSinkConfigAndHidesTheToken() {
        CommandLine sink = Loopflow.commandLine().getSubcommands().get("sink");
        StringBuilder defaults = new StringBuilder();
        sink.getCommandSpec().options().forEach(o -> defaults.append(o.defaultValueString(false)).append(' '));

        assertThat(defaults.toString()).contains("${env:" + SinkConfig.ENV_KAFKA_BOOTSTRAP, "${env:" + SinkConfig.ENV_INFLUX_URL,
                "${env:" + SinkConfig.ENV_INFLUX_ORG, "${env:" + SinkConfig.ENV_INFLUX_BUCKET, "${env:" + SinkConfig.ENV_INFLUX_TOKEN);
        assertThat(sink.getUsageMessage()).contains("--influx-token").doesNotContain("Default: ${env:LOOPFLOW_INFLUX_TOKEN");
    }

    @Test
    void gatewayAndSimulatorTakeAnMqttLoginAndNeverShowThePassword() {
        GatewayCommand gateway = (GatewayCommand) Loopflow.commandLine()
                .parseArgs("gateway", "--mqtt-username", "gateway", "--mqtt-password", "s3cret").subcommand().commandSpec().userObject();
        SimulateCommand simulate = (SimulateCommand) Loopflow.commandLine().parseArgs("simulate").subcommand().commandSpec().userObject();

        assertThat(gateway.mqttLogin.login()).isEqualTo(new MqttLogin("gateway", "s3cret"));
        assertThat(simulate.mqttLogin.login().present()).as("anonymous unless LOOPFLOW_MQTT_USERNAME is set")
                .isEqualTo(!System.getenv().getOrDefault("LOOPFLOW_MQTT_USERNAME", "").isEmpty());
        for (String command : new String[] {"gateway", "simulate"}) {
            CommandLine cli = Loopflow.commandLine().getSubcommands().get(command);
            StringBuilder defaults = new StringBuilder();
            cli.getCommandSpec().options().forEach(o -> defaults.append(o.defaultValueString(false)).append(' '));
            assertThat(defaults.toString()).as(command).contains("${env:LOOPFLOW_MQTT_USERNAME", "${env:LOOPFLOW_MQTT_PASSWORD");
            assertThat(cli.getUsageMessage()).as(command).contains("--mqtt-password").doesNotContain("Default: ${env:LOOPFLOW_MQTT_PASSWORD");
        }
    }

    @Test
    void gatewayTakesMinTsAsATimeOrADateWithTheContractsDefault() {
        GatewayCommand defaults = (GatewayCommand) Loopflow.commandLine().parseArgs("gateway").subcommand().commandSpec().userObject();
        GatewayCommand date = (GatewayCommand) Loopflow.commandLine().parseArgs("gateway", "--min-ts", "2020-06-01")
                .subcommand().commandSpec().userObject();
        GatewayCommand time = (GatewayCommand) Loopflow.commandLine().parseArgs("gateway", "--min-ts", "2020-06-01T02:00:00+02:00")
                .subcommand().commandSpec().userObject();

        assertThat(defaults.minTs).isEqualTo(Instant.parse("2000-01-01T00:00:00Z"));
        assertThat(date.minTs).isEqualTo(Instant.parse("2020-06-01T00:00:00Z"));
        assertThat(time.minTs).isEqualTo(Instant.parse("2020-06-01T00:00:00Z"));
    }

    @Test
    void aBadOrFutureMinTsFailsAtStartNamingTheFlag() {
        for (String bad : new String[] {"yesterday", "2000-01-01T00:00:00", "2999-01-01"}) {
            CommandLine cli = Loopflow.commandLine();
            StringWriter err = new StringWriter();
            cli.setErr(new PrintWriter(err));

            int exit = cli.execute("gateway", "--health-port", "-1", "--min-ts", bad);

            assertThat(exit).as(bad).isEqualTo(CommandLine.ExitCode.USAGE);
            assertThat(err.toString()).as(bad).contains("--min-ts").contains("'" + bad + "'");
        }
    }

    @Test
    void gatewayTakesATrustStoreForSslAndATrustStoreWithTcpFailsBeforeAnythingStarts() {
        GatewayCommand gateway = (GatewayCommand) Loopflow.commandLine().parseArgs("gateway", "--mqtt-uri", "ssl://broker:8883",
                "--mqtt-trust-store", "/etc/loopflow/ca.pem").subcommand().commandSpec().userObject();

        assertThat(gateway.mqttTls.tls()).isEqualTo(new MqttTls(Path.of("/etc/loopflow/ca.pem"), ""));
        assertThat(Loopflow.commandLine().execute("gateway", "--health-port", "-1", "--mqtt-trust-store", "/etc/loopflow/ca.pem"))
                .as("tcp:// with a trust store").isEqualTo(CommandLine.ExitCode.USAGE);
        assertThat(Loopflow.commandLine().execute("gateway", "--health-port", "-1", "--mqtt-uri", "ssl://127.0.0.1:1",
                "--mqtt-trust-store", "/nonexistent/ca.pem")).as("a trust store that is not there").isEqualTo(CommandLine.ExitCode.USAGE);
    }

    @Test
    void aPasswordWithoutAUserFailsBeforeAnythingStartsNamingTheKey() {
        assertThatIllegalArgumentException().isThrownBy(() -> new MqttLogin("", "s3cret").validate("gateway"))
                .withMessage("gateway.mqtt-password is set but gateway.mqtt-username is empty");
        assertThat(Loopflow.commandLine().execute("gateway", "--mqtt-password", "s3cret", "--health-port", "-1"))
                .isEqualTo(CommandLine.ExitCode.USAGE);
        assertThat(Loopflow.commandLine().execute("simulate", "--mqtt-password", "s3cret")).isEqualTo(CommandLine.ExitCode.USAGE);
    }

    @Test
    void sinkSamplesTheLagOfTheConsumerGroupsLoopflowRunsByDefault() {
        SinkCommand sink = (SinkCommand) Loopflow.commandLine().parseArgs("sink").subcommand().commandSpec().userObject();
        List<String> running = List.of(ProcessorConfig.DEFAULT_APPLICATION_ID, ProcessorConfig.DEFAULT_APPLICATION_ID + StreamProcessor.SURPLUS_SUFFIX,
                AlertPublisherConfig.DEFAULT_GROUP_ID, SinkConfig.DEFAULT_GROUP_ID);

        assertThat(SinkConfig.parseLagGroups(sink.lagGroups)).isEqualTo(running);
        assertThat(SinkConfig.DEFAULT_LAG_GROUPS).isEqualTo(running);
    }

    @Test
    void sinkReadsLagGroupsFromTheFlagAndABadListFailsBeforeAnythingStarts() {
        SinkCommand sink = (SinkCommand) Loopflow.commandLine().parseArgs("sink", "--lag-groups", "a, b").subcommand().commandSpec().userObject();
        assertThat(SinkConfig.parseLagGroups(sink.lagGroups)).containsExactly("a", "b");

        // the message (logged) names sink.lag-groups: SinkConfigTest
        assertThat(Loopflow.commandLine().execute("sink", "--health-port", "-1", "--lag-groups", "a,,b")).isEqualTo(CommandLine.ExitCode.USAGE);
    }

    @Test
    void noCommandIsAUsageError() {
        CommandLine cli = Loopflow.commandLine();
        cli.setErr(new PrintWriter(new StringWriter()));
        assertThat(cli.execute()).isEqualTo(CommandLine.ExitCode.USAGE);
    }

    @Test
    void httpAndHealthInterfacesAreThisMachineByDefaultAndTakeAFlag() {
        StreamsCommand streams = (StreamsCommand) Loopflow.commandLine().parseArgs("streams").subcommand().commandSpec().userObject();
        LocalCommand local = (LocalCommand) Loopflow.commandLine().parseArgs("local", "--http-host", "0.0.0.0").subcommand().commandSpec()
                .userObject();
        GatewayCommand gateway = (GatewayCommand) Loopflow.commandLine().parseArgs("gateway").subcommand().commandSpec().userObject();
        SinkCommand sink = (SinkCommand) Loopflow.commandLine().parseArgs("sink", "--health-host", "0.0.0.0").subcommand().commandSpec()
                .userObject();

        assertThat(streams.httpHost).isEqualTo("127.0.0.1");
        assertThat(local.httpHost).isEqualTo("0.0.0.0");
        assertThat(gateway.healthHost).isEqualTo("127.0.0.1");
        assertThat(sink.healthHost).isEqualTo("0.0.0.0");
    }
}
