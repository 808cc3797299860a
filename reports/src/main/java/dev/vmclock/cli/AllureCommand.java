package dev.vmclock.cli;

import dev.vmclock.harness.ExitCode;
import dev.vmclock.report.allure.AllureCommandLine;
import dev.vmclock.report.allure.AllureResults;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/**
 * {@code allure RUN_DIR... [--out DIR]}: one Allure HTML report from the Allure results of one or many
 * runs (a CI matrix: each job's run directory, or its allure-results directory, as an argument).
 */
@Command(name = "allure", sortOptions = false, description = {
        "One Allure HTML report (a single file that opens offline) of the Allure"
        + " results of one or many runs, e.g. a CI matrix over QEMU versions and machines."})
final class AllureCommand implements Callable<Integer> {

    @Parameters(paramLabel = "RUN_DIR", arity = "0..*", description = "run directories (or their allure-results)")
    List<Path> runs = new ArrayList<>();

    @Option(names = "--out", paramLabel = "DIR", defaultValue = "vmclock-allure",
            description = "where the report goes (default: ./${DEFAULT-VALUE})")
    Path outDir;

    @Mixin
    HelpOption help;

    private final PrintStream out;

    AllureCommand(PrintStream out) {
        this.out = out;
    }

    @Override
    public Integer call() {
        if (runs.isEmpty()) {
            throw Main.usage("allure needs at least one run directory");
        }
        List<Path> results = runs.stream().map(AllureCommand::resultsOf).toList();
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
                throw Main.usage("cannot read " + arg + ": " + e.getMessage());
            }
        }
        throw Main.usage(arg + " holds no Allure results (expected a run directory written by"
                + " ./vmclock-conformance run --out DIR)");
    }
}
