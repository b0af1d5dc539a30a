package dev.vigil.cli;

import picocli.CommandLine;
import picocli.CommandLine.Command;

/** The {@code vigil} command. Run it through the {@code ./vigil} launcher at the repository root. */
@Command(
        name = "vigil",
        mixinStandardHelpOptions = true,
        version = "vigil 0.1.0",
        description = "Real-time AML and payment-fraud transaction monitoring.",
        subcommands = {
            RunCommand.class,
            DemoCommand.class,
            SimulateCommand.class,
            ModelCommand.class,
            AuditCommand.class,
            RulesCommand.class,
            UserCommand.class,
            ApiKeyCommand.class,
            BenchCommand.class,
            CommandLine.HelpCommand.class
        })
public final class VigilCli implements Runnable {

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Override
    public void run() {
        spec.commandLine().usage(System.out);
    }

    public static void main(String[] args) {
        System.exit(commandLine().execute(args));
    }

    /** The command line as {@code ./vigil} parses it (durations such as {@code 2s}, enums in any case). */
    static CommandLine commandLine() {
        return new CommandLine(new VigilCli())
                .setCaseInsensitiveEnumValuesAllowed(true)
                .registerConverter(java.time.Duration.class, DurationConverter::parse);
    }
}
