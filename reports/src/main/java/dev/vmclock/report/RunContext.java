package dev.vmclock.report;

import dev.vmclock.conformance.run.SuiteRun;
import java.nio.file.Path;
import java.time.Instant;
import java.util.List;
import java.util.Optional;

/**
 * What a report says about a run that the {@link SuiteRun} does not carry: the implementation, when,
 * the options it ran with, and where the report lives (evidence paths are written relative to it).
 */
public record RunContext(Report.Implementation implementation, Instant date, String suiteVersion,
                         Optional<String> referenceClock, List<String> selection, SuiteRun.Gate gate, Path reportDir) {
}
