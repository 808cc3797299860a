package dev.vmclock.cli;

import dev.vmclock.harness.ExitCode;
import dev.vmclock.harness.HarnessException;
import dev.vmclock.harness.guest.AgentException;
import dev.vmclock.images.GuestImageException;
import dev.vmclock.report.Implementations;
import java.io.IOException;
import java.io.PrintStream;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Help;
import picocli.CommandLine.MissingParameterException;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Model.OptionSpec;
import picocli.CommandLine.Model.UsageMessageSpec;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;
import picocli.CommandLine.UnmatchedArgumentException;

/**
 * {@code ./vmclock-conformance}: the command line (picocli). Every failure ends in one line on stderr naming
 * the fix, and an exit code from {@link ExitCode} (documented in the README and in {@code --help}).
 */
@Command(name = "./vmclock-conformance", mixinStandardHelpOptions = true, versionProvider = Main.Version.class,
        synopsisSubcommandLabel = "<command>",
        description = "Conformance suite for the VMClock device (UAPI.13): boots QEMU, checks every clause of"
                + " spec-map.md, writes the evidence and the report.",
        commandListHeading = "%ncommands:%n",
        exitCodeListHeading = "%nexit codes:%n",
        exitCodeList = {
            " 0:ok (for run: the gate holds)",
            " 1:run, report --gate: the gate failed (a clause FAILed it; with --expectations an unexpected result,"
                + " with --baseline a check that got worse; matrix: a cell's gate failed, or a cell could not run)",
            " 2:usage: unknown command or option, bad option value, a bad expectations file or baseline, an unknown"
                + " --vmm or --without capability, an exec: adapter that is not executable or speaks another protocol",
            " 3:no QEMU at the given or default path",
            " 4:the QEMU has no vmclock device (QEMU < 10.0)",
            " 5:the accelerator forced with --accel does not work here",
            " 6:an output, report or cache directory is not writable",
            " 7:the guest image cannot be built, or a supplied kernel/initramfs is unusable (or, over vsock, the"
                + " guest's agent never answers there)",
            " 8:--agent-transport vsock: the vsock back end cannot be fetched, is missing or not executable, or exited",
            " 9:--vhost-user-rtc: the back end is missing or not executable, does not answer --version, exits or makes no"
                    + " socket at start, speaks another vhost-user version; or the QEMU has no vhost-user-rtc-pci",
            "10:QEMU or the harness broke (the evidence is kept and its path printed)"},
        subcommands = CommandLine.HelpCommand.class)
public final class Main implements Callable<Integer> {

    /** Where --help puts each command's own options: the whole command line on one page. */
    private static final String COMMAND_DETAILS = "commandDetails";

    private final PrintStream out;
    private final PrintStream err;

    @Spec
    CommandSpec spec;

    Main(PrintStream out, PrintStream err) {
        this.out = out;
        this.err = err;
    }

    public static void main(String[] args) {
        System.exit(new Main(System.out, System.err).run(Arrays.asList(args)));
    }

    int run(List<String> args) {
        CommandLine cli = commandLine();
        int code = cli.execute(args.toArray(String[]::new));
        cli.getOut().flush();
        return code;
    }

    /** No command: the usage, as a usage error. */
    @Override
    public Integer call() {
        out.print(spec.commandLine().getUsageMessage());
        return ExitCode.USAGE.code();
    }

    private CommandLine commandLine() {
        CommandLine cli = new CommandLine(this)
                .addSubcommand(new RunCommand(out))
                .addSubcommand(new MatrixCommand(out))
                .addSubcommand(new ReportCommand(out))
                .addSubcommand(new ExpectationsCommand(out))
                .addSubcommand(new AllureCommand(out))
                .addSubcommand(new PageCommand(out, err))
                .addSubcommand(new DoctorCommand(out))
                .addSubcommand(new ImagesCommand(out))
                .addSubcommand(new CapabilitiesCommand(out))
                .setOut(new PrintWriter(out, true))
                .setErr(new PrintWriter(err, true))
                .setColorScheme(Help.defaultColorScheme(Help.Ansi.OFF))
                .setUsageHelpWidth(100)
                .setExpandAtFiles(false) // a RUN_DIR named @x is a directory, not an argument file
                .setOverwrittenOptionsAllowed(true) // a repeated option: the last one counts
                .setParameterExceptionHandler((e, args) -> usageError(e))
                .setExecutionExceptionHandler((e, cmd, parsed) -> failure(e));
        cli.getHelpSectionMap().put(COMMAND_DETAILS, help -> commandDetails(cli));
        List<String> sections = new ArrayList<>(cli.getHelpSectionKeys());
        sections.add(sections.indexOf(UsageMessageSpec.SECTION_KEY_EXIT_CODE_LIST_HEADING), COMMAND_DETAILS);
        cli.setHelpSectionKeys(sections);
        return cli;
    }

    private static String commandDetails(CommandLine cli) {
        StringBuilder s = new StringBuilder();
        cli.getSubcommands().forEach((name, sub) -> {
            if (!(sub.getCommand() instanceof CommandLine.HelpCommand)) {
                s.append('\n').append(sub.getUsageMessage());
            }
        });
        return s.toString();
    }

    /** picocli's parse errors in the house style: one line naming the fix, exit 2. */
    private int usageError(ParameterException e) {
        err.println("vmclock-conformance: " + usage(describe(e)).getMessage());
        return ExitCode.USAGE.code();
    }

    private static String describe(ParameterException e) {
        if (e instanceof UnmatchedArgumentException u && !u.getUnmatched().isEmpty()) {
            String arg = u.getUnmatched().get(0);
            String what = arg.startsWith("-") ? "unknown option " : u.getCommandLine().getParent() == null
                    ? "unknown command " : "unexpected argument ";
            List<String> suggestions = u.getSuggestions();
            return what + arg + (suggestions.isEmpty() ? "" : "; did you mean " + String.join(" or ", suggestions)
                    + "?");
        }
        if (e instanceof MissingParameterException m && !m.getMissing().isEmpty()
                && m.getMissing().get(0) instanceof OptionSpec option) {
            return option.longestName() + " needs a value";
        }
        return e.getMessage().strip().replaceAll("\\s+", " ");
    }

    /** What the commands throw, as the documented exit codes. */
    private int failure(Exception e) {
        if (e instanceof HarnessException h) {
            err.println("vmclock-conformance: " + h.getMessage());
            return h.exitCode().code();
        }
        if (e instanceof GuestImageException) {
            err.println("vmclock-conformance: " + e.getMessage());
            return ExitCode.GUEST_IMAGE.code();
        }
        if (e instanceof AgentException) {
            err.println("vmclock-conformance: " + e.getMessage());
            return ExitCode.HARNESS_ERROR.code();
        }
        err.println("vmclock-conformance: internal error: " + e);
        return ExitCode.HARNESS_ERROR.code();
    }

    /** A usage error found after parsing: exit 2, and where to read about the options. */
    static HarnessException usage(String message) {
        return new HarnessException(ExitCode.USAGE, message + " (see ./vmclock-conformance --help)");
    }

    /** An output directory that cannot be written ({@link ExitCode#OUTPUT_NOT_WRITABLE}), and the option that chooses another. */
    static HarnessException notWritable(Path dir, Exception e) {
        return new HarnessException(ExitCode.OUTPUT_NOT_WRITABLE, "cannot write to " + dir + " (" + e.getClass().getSimpleName()
                + ": " + e.getMessage() + "): choose a writable directory with --out", e);
    }

    static void prepareOutput(Path dir) {
        try {
            Files.createDirectories(dir);
            Path probe = Files.createTempFile(dir, ".write-test", "");
            Files.delete(probe);
        } catch (IOException | SecurityException e) {
            throw notWritable(dir, e);
        }
    }

    static final class Version implements CommandLine.IVersionProvider {
        @Override
        public String[] getVersion() {
            return new String[] {"vmclock-conformance " + Implementations.suiteVersion()};
        }
    }
}
