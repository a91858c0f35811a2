package io.loopflow.app;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import picocli.CommandLine;
import picocli.CommandLine.Command;

/**
 * The {@code loopflow} command: {@code local} (the whole pipeline in one process), {@code gateway}
 * (MQTT to Kafka), {@code streams} (Kafka to figures and the HTTP API), {@code sink} (Kafka to
 * InfluxDB), {@code simulate} (the
 * Kalundborg simulator against any MQTT broker) and {@code import} (history files into Kafka). Every flag can also be set through the
 * environment variable named in its help.
 */
@Command(name = "loopflow", mixinStandardHelpOptions = true, version = "loopflow 0.1.0",
        description = "Telemetry pipeline for industrial symbiosis: MQTT -> Kafka -> Kafka Streams. Contract: docs/CONTRACT.md.",
        subcommands = {LocalCommand.class, GatewayCommand.class, StreamsCommand.class, SinkCommand.class, SimulateCommand.class,
                ImportCommand.class})
public final class Loopflow implements Runnable {
    private static final Logger LOG = LoggerFactory.getLogger(Loopflow.class);

    @CommandLine.Spec
    private CommandLine.Model.CommandSpec spec;

    public static void main(String[] args) {
        System.exit(commandLine().execute(args));
    }

    /** The configured command line: case-insensitive enum values, configuration errors reported by flag. */
    public static CommandLine commandLine() {
        CommandLine cli = new CommandLine(new Loopflow());
        cli.setCaseInsensitiveEnumValuesAllowed(true);
        cli.setExecutionExceptionHandler((e, command, parseResult) -> {
            if (e instanceof IllegalArgumentException) {
                // A validated configuration value: the message names the flag or key.
                LOG.error("Invalid configuration: {}", e.getMessage());
                return CommandLine.ExitCode.USAGE;
            }
            LOG.error("loopflow {} failed", command.getCommandName(), e);
            return CommandLine.ExitCode.SOFTWARE;
        });
        return cli;
    }

    @Override
    public void run() {
        throw new CommandLine.ParameterException(spec.commandLine(), "Missing command: local, gateway, streams, sink, simulate or import");
    }
}
