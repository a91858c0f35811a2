package io.loopflow.app;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatIllegalArgumentException;

import io.loopflow.ingest.MqttLogin;
import io.loopflow.ingest.alerts.AlertPublisherConfig;
import io.loopflow.sink.SinkConfig;
import io.loopflow.streams.ProcessorConfig;
import io.loopflow.streams.StreamProcessor;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.time.Duration;
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
        assertThat(local.windows.kpiWindows).containsExactly(Duration.ofHours(1), Duration.ofDays(1));
        assertThat(local.windows.grace).isEqualTo(Duration.ofMinutes(5));
        assertThat(local.windows.idleTimeout).isEqualTo(Duration.ofMinutes(15));
        assertThat(local.mqttPersistence).isEqualTo(MqttPersistence.MEMORY);
        assertThat(local.partitions).isEqualTo(1);
        assertThat(local.simulate).isFalse();
    }

    @Test
    void localReadsFlagsIncludingDurationListsAndCaseInsensitivePersistence() {
        CommandLine cli = Loopflow.commandLine();
        ParseResult result = cli.parseArgs("local", "--simulate", "--flow-window", "10s", "--kpi-windows", "1m,1h",
                "--grace", "0s", "--mqtt-persistence", "file", "--partitions", "3", "--sim-speed", "0");
        LocalCommand local = (LocalCommand) result.subcommand().commandSpec().userObject();

        assertThat(local.simulate).isTrue();
        assertThat(local.windows.flowWindow).isEqualTo(Duration.ofSeconds(10));
        assertThat(local.windows.kpiWindows).containsExactly(Duration.ofMinutes(1), Duration.ofHours(1));
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
