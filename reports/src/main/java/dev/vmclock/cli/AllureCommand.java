package dev.vmclock.cli;

import dev.vmclock.harness.ExitCode;
import dev.vmclock.report.allure.AllureCommandLine;
import dev.vmclock.report.allure.AllureResults;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Set;

/**
 * {@code allure RUN_DIR... [--out DIR]}: one Allure HTML report from the Allure results of one or many
 * runs (a CI matrix: each job's run directory, or its allure-results directory, as an argument).
 */
final class AllureCommand {

    private final PrintStream out;

    AllureCommand(PrintStream out) {
        this.out = out;
    }

    int run(List<String> args) {
        Options o = Options.parse(args, Set.of("--out"), Set.of());
        if (o.positional().isEmpty()) {
            throw Options.usage("allure needs at least one run directory");
        }
        List<Path> results = o.positional().stream().map(Path::of).map(AllureCommand::resultsOf).toList();
        Path outDir = Path.of(o.value("--out").orElse("vmclock-allure"));
        Main.prepareOutput(outDir);
        Path index = AllureCommandLine.bundled().generate(results, outDir);
        out.printf("allure report of %d run(s): %s%n", results.size(), index.toAbsolutePath());
        return ExitCode.OK.code();
    }

    /** A run directory's allure-results, or the argument itself when it already is one. */
    private static Path resultsOf(Path arg) {
        Path inRun = arg.resolve(AllureResults.DIRECTORY);
        if (Files.isDirectory(inRun)) {
            return inRun;
        }
        if (Files.isDirectory(arg)) {
            try (var files = Files.list(arg)) {
                if (files.anyMatch(f -> f.getFileName().toString().endsWith("-result.json"))) {
                    return arg;
                }
            } catch (java.io.IOException e) {
                throw Options.usage("cannot read " + arg + ": " + e.getMessage());
            }
        }
        throw Options.usage(arg + " holds no Allure results (expected a run directory written by"
                + " ./vmclock-conformance run --out DIR)");
    }
}
