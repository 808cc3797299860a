package dev.vmclock.cli;

import dev.vmclock.report.Comparison;
import dev.vmclock.report.HtmlReport;
import dev.vmclock.report.Report;
import dev.vmclock.report.ReportJson;
import java.io.PrintStream;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/**
 * {@code report RUN_DIR... [--out FILE]}: one run dir regenerates its index.html (or writes FILE);
 * several are compared side by side in one page (default ./vmclock-comparison.html).
 */
@Command(name = "report", sortOptions = false, description = {
        "One RUN_DIR regenerates its index.html (or writes FILE); several are"
        + " compared side by side in one page, clauses whose verdicts differ highlighted."})
final class ReportCommand implements Callable<Integer> {

    static final String DEFAULT_COMPARISON = "vmclock-comparison.html";

    // 0..*: no argument is this command's own one-line error, not picocli's
    @Parameters(paramLabel = "RUN_DIR", arity = "0..*", description = "directories written by run --out")
    List<String> dirs = new ArrayList<>();

    @Option(names = "--out", paramLabel = "FILE", description = "the page to write (default: RUN_DIR/index.html for"
            + " one run, ./" + DEFAULT_COMPARISON + " for several)")
    Path outFile;

    @Mixin
    HelpOption help;

    private final PrintStream out;

    ReportCommand(PrintStream out) {
        this.out = out;
    }

    @Override
    public Integer call() {
        if (dirs.isEmpty()) {
            throw Main.usage("report needs at least one RUN_DIR (a directory written by run --out)");
        }
        // Read every report before writing anything: a bad argument leaves no half-written output.
        Map<Path, Report> reports = new LinkedHashMap<>();
        for (String d : dirs) {
            reports.put(Path.of(d), ReportJson.read(Path.of(d)));
        }
        if (reports.size() == 1) {
            Map.Entry<Path, Report> only = reports.entrySet().iterator().next();
            Path file = Optional.ofNullable(outFile).orElse(only.getKey().resolve(HtmlReport.FILE_NAME));
            prepareParent(file);
            Path written = HtmlReport.write(only.getValue(), only.getKey(), file);
            out.println("report: " + written.toAbsolutePath());
            return 0;
        }
        Comparison c = Comparison.of(reports);
        Path file = Optional.ofNullable(outFile).orElse(Path.of(DEFAULT_COMPARISON));
        prepareParent(file);
        Path written = c.write(file);
        out.printf("%d runs, %d clauses, %d with differing verdicts%ncomparison: %s%n", reports.size(), c.rows().size(),
                c.differing(), written.toAbsolutePath());
        return 0;
    }

    /** An unwritable place is exit 6 with the usual one line, before any work. */
    private static void prepareParent(Path file) {
        Path parent = file.toAbsolutePath().getParent();
        if (parent != null) {
            Main.prepareOutput(parent);
        }
    }
}
