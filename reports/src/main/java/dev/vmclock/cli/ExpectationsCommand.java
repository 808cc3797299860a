package dev.vmclock.cli;

import dev.vmclock.conformance.spec.SpecMap;
import dev.vmclock.gate.ExpectationsFile;
import dev.vmclock.gate.ExpectationsWriter;
import dev.vmclock.report.Report;
import dev.vmclock.report.ReportJson;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** {@code expectations write RUN_DIR}: the expectations file that run would pass with. */
@Command(name = "expectations", sortOptions = false, description = {
        "write RUN_DIR: print (or write to --out FILE) the expected results that run would pass its gate with:"
        + " an entry per clause for the checks that FAILed or ERRORed. Reasons, links and conditions are kept from"
        + " the file being rewritten (--out FILE when it exists, or --from FILE); new entries take --reason, else"
        + " the check's own message."})
final class ExpectationsCommand implements Callable<Integer> {

    @Parameters(index = "0", paramLabel = "write", description = "the action (write)")
    String action;

    @Parameters(index = "1", paramLabel = "RUN_DIR", arity = "0..1", description = "a directory written by run --out")
    Path runDir;

    @Option(names = "--out", paramLabel = "FILE", description = "the file to write (default: standard output);"
            + " when it exists, its reasons, links and conditions are kept")
    Path outFile;

    @Option(names = "--from", paramLabel = "FILE", description = "keep reasons, links and conditions from this file")
    Path from;

    @Option(names = "--reason", paramLabel = "TEXT", description = "the reason of every new entry")
    String reason;

    @Mixin
    HelpOption help;

    private final PrintStream out;

    ExpectationsCommand(PrintStream out) {
        this.out = out;
    }

    @Override
    public Integer call() {
        if (!"write".equals(action)) {
            throw Main.usage("expectations takes the action write, not '" + action + "'");
        }
        if (runDir == null) {
            throw Main.usage("expectations write needs a RUN_DIR (a directory written by run --out)");
        }
        if (reason != null && reason.isBlank()) {
            throw Main.usage("--reason needs a text: say in one line why these results are expected");
        }
        Report run = ReportJson.read(runDir);
        Optional<Path> keep = Optional.ofNullable(from).or(() -> Optional.ofNullable(outFile).filter(Files::exists));
        Optional<ExpectationsFile> kept = keep.map(f -> ExpectationsFile.read(f, SpecMap.load()));
        String yaml = ExpectationsWriter.write(run, runDir.toString(), kept, Optional.ofNullable(reason));
        if (outFile == null) {
            out.print(yaml);
            return 0;
        }
        Path parent = outFile.toAbsolutePath().getParent();
        Main.prepareOutput(parent);
        try {
            Files.writeString(outFile, yaml);
        } catch (IOException e) {
            throw Main.notWritable(parent, e);
        }
        out.println("expectations: " + outFile.toAbsolutePath());
        return 0;
    }
}
