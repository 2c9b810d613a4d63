package io.kvasir.engine.cli;

import picocli.CommandLine;
import picocli.CommandLine.Command;

/** Entry point of {@code ./kvasir} for the engine's commands. */
@Command(name = "kvasir", mixinStandardHelpOptions = true,
        subcommands = {DemoModelCommand.class, NeedleModelCommand.class, GenerateCommand.class, ScoreCommand.class,
                BenchCommand.class, StageCommand.class, SparseSearchCommand.class})
public final class KvasirCli {

    public static void main(String[] args) {
        System.exit(commandLine().execute(args));
    }

    /** The configured command line, also used by tests. */
    static CommandLine commandLine() {
        CommandLine cli = new CommandLine(new KvasirCli());
        // Bad input is the user's to fix: show the message, not a stack trace.
        cli.setExecutionExceptionHandler((e, cmd, parsed) -> {
            cmd.getErr().println("kvasir " + cmd.getCommandName() + ": " + (e.getMessage() != null ? e.getMessage() : e));
            if (Boolean.getBoolean("kvasir.debug")) {
                e.printStackTrace(cmd.getErr());
            }
            return 1;
        });
        return cli;
    }
}
