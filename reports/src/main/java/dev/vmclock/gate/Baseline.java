package dev.vmclock.gate;

import dev.vmclock.report.Report;
import dev.vmclock.report.ReportJson;
import java.nio.file.Path;

/** The run a gate compares against ({@code --baseline RUN_DIR} or its report.json), read before anything starts. */
public record Baseline(String name, Report report) {

    public static Baseline read(Path runDirOrReport) {
        return new Baseline(runDirOrReport.toString(), ReportJson.read(runDirOrReport));
    }
}
