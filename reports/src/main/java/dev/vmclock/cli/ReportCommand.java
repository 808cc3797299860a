package dev.vmclock.cli;

import dev.vmclock.report.Comparison;
import dev.vmclock.report.HtmlReport;
import dev.vmclock.report.Report;
import dev.vmclock.report.ReportJson;
import java.io.PrintStream;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * {@code report RUN_DIR... [--out FILE]}: one run dir regenerates its index.html (or writes FILE);
 * several are compared side by side in one page (default ./vmclock-comparison.html).
 */
final class ReportCommand {

    static final Set<String> OPTIONS = Set.of("--out");
    static final String DEFAULT_COMPARISON = "vmclock-comparison.html";

    private final PrintStream out;

    ReportCommand(PrintStream out) {
        this.out = out;
    }

    int run(Options o) {
        List<String> dirs = o.positional();
        if (dirs.isEmpty()) {
            throw Options.usage("report needs at least one RUN_DIR (a directory written by run --out)");
        }
        // Read every report before writing anything: a bad argument leaves no half-written output.
        Map<Path, Report> reports = new LinkedHashMap<>();
        for (String d : dirs) {
            reports.put(Path.of(d), ReportJson.read(Path.of(d)));
        }
        if (reports.size() == 1) {
            Map.Entry<Path, Report> only = reports.entrySet().iterator().next();
            Path file = o.value("--out").map(Path::of).orElse(only.getKey().resolve(HtmlReport.FILE_NAME));
            prepareParent(file);
            Path written = HtmlReport.write(only.getValue(), only.getKey(), file);
            out.println("report: " + written.toAbsolutePath());
            return 0;
        }
        Comparison c = Comparison.of(reports);
        Path file = Path.of(o.value("--out").orElse(DEFAULT_COMPARISON));
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
