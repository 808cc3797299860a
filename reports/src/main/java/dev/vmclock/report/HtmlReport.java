package dev.vmclock.report;

import java.nio.file.Path;
import java.util.Map;

/** index.html of one run: the report and every test's evidence, decoded, in one file. */
public final class HtmlReport {

    public static final String FILE_NAME = "index.html";

    /**
     * What the page's script reads: its heading, the report as in report.json, the evidence by directory, and how
     * the VMM and the hop's destination spell their names (null without a hop).
     */
    record Data(String kind, String title, Report report, Map<String, EvidenceView> evidence, String vmmName,
                String hopVmmName) {
    }

    private HtmlReport() {
    }

    public static String render(Report report, Path runDir) {
        String specs = Specs.names(report.clauses().stream().map(Report.ClauseReport::id).toList());
        Report.Implementation impl = report.implementation();
        String title = specs + " conformance: " + impl.vmm().displayName() + " " + impl.vmm().version()
                + (impl.hop() == null ? "" : " → " + impl.hop().vmm().version()) + " ("
                + (report.gateResult().holds() ? "gate holds" : "gate fails") + ")";
        return HtmlPage.render(title, "report.js", new Data("run", specs + " conformance report", report,
                EvidenceView.forReport(report, runDir), impl.vmm().displayName(),
                impl.hop() == null ? null : impl.hop().vmm().displayName()));
    }

    /** Writes {@code runDir/index.html} next to report.json. */
    public static Path write(Report report, Path runDir) {
        return write(report, runDir, runDir.resolve(FILE_NAME));
    }

    /** Writes the page of the run in {@code runDir} (whose evidence it embeds) to {@code file}. */
    public static Path write(Report report, Path runDir, Path file) {
        HtmlPage.write(file, render(report, runDir));
        return file;
    }
}
