package dev.vmclock.report;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.vmclock.conformance.run.SuiteRun;
import dev.vmclock.harness.HarnessException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The v1 model built from a synthetic run (no QEMU), and report.json read back. */
class ReportBuilderTest {

    @TempDir
    Path runDir;

    private Report build(SuiteRun.Gate gate) {
        return ReportBuilder.build(SyntheticRun.write(runDir, true), SyntheticRun.context(runDir, gate));
    }

    @Test
    void clausesCarryVerdictStrengthSourceAndTests() {
        Report r = build(SuiteRun.Gate.MUST);
        assertThat(r.schema()).isEqualTo("vmclock-conformance/report/v2");
        assertThat(r.clauses()).extracting(Report.ClauseReport::id)
                .containsExactly("VMC-CONST-02", "VMC-FLAGS-03", "VMC-SEQ-01", "VMC-TIME-06");
        Report.ClauseReport c = r.clauses().get(0);
        assertThat(c.verdict()).isEqualTo("FAIL");
        assertThat(c.strength()).isEqualTo("MUST");
        assertThat(c.section()).isEqualTo("Constant fields");
        assertThat(c.reason()).contains("expected: 1 but was: 2");
        assertThat(c.tests()).singleElement().satisfies(t -> {
            assertThat(t.test()).isEqualTo("ConstantFieldsTest#unchangedAcrossLiveMigration");
            assertThat(t.durationMs()).isEqualTo(640);
            // relative to the report, so a moved or archived run dir still resolves
            assertThat(t.evidenceDir()).isEqualTo("evidence/ConstantFieldsTest.unchangedAcrossLiveMigration");
            assertThat(t.evidenceFiles()).containsExactly("boot-page.bin", "console.txt", "live_migration-after.bin",
                    "live_migration-before.bin", "notes.txt", "transcript.txt");
        });
        assertThat(r.clauses().get(2).tests().get(0).evidenceDir()).isNull();
        assertThat(r.clauses().get(2).reason()).isEmpty();
    }

    @Test
    void totalsCountEveryStrengthAndVerdictWithZeros() {
        Report.Totals t = build(SuiteRun.Gate.MUST).totals();
        assertThat(t.clauses()).isEqualTo(4);
        assertThat(t.byVerdict()).containsEntry("PASS", 1).containsEntry("FAIL", 2).containsEntry("NOT_APPLICABLE", 1)
                .containsEntry("ERROR", 0);
        assertThat(t.byStrength()).containsOnlyKeys("MUST", "MUST NOT", "SHOULD", "SHOULD NOT", "MAY");
        assertThat(t.byStrength().get("MUST")).containsEntry("FAIL", 1).containsEntry("PASS", 1)
                .containsEntry("NOT_APPLICABLE", 1);
        assertThat(t.byStrength().get("SHOULD")).containsEntry("FAIL", 1);
        assertThat(t.byStrength().get("MAY").values()).containsOnly(0);
    }

    @Test
    void gateNamesTheClausesThatBreakIt() {
        assertThat(build(SuiteRun.Gate.MUST).gateResult()).satisfies(g -> {
            assertThat(g.gate()).isEqualTo("must");
            assertThat(g.holds()).isFalse();
            assertThat(g.failing()).containsExactly("VMC-CONST-02");
            assertThat(g.containerFailure()).isNull();
        });
        assertThat(build(SuiteRun.Gate.SHOULD).gateResult().failing()).containsExactly("VMC-CONST-02", "VMC-FLAGS-03");
    }

    @Test
    void aGoodRunHoldsTheMustGateButNotTheShouldGate(@TempDir Path other) {
        SuiteRun run = SyntheticRun.write(other, false);
        assertThat(ReportBuilder.build(run, SyntheticRun.context(other, SuiteRun.Gate.MUST)).gateResult().holds()).isTrue();
        assertThat(ReportBuilder.build(run, SyntheticRun.context(other, SuiteRun.Gate.SHOULD)).gateResult().holds())
                .isFalse();
    }

    @Test
    void writtenReportReadsBackEqual() {
        Report r = build(SuiteRun.Gate.MUST);
        Path file = ReportJson.write(r, runDir);
        assertThat(file.getFileName().toString()).isEqualTo("report.json");
        assertThat(ReportJson.read(runDir)).isEqualTo(r);
    }

    @Test
    void unknownSchemaAndMissingReportAreOneLineUsageErrors(@TempDir Path other) throws Exception {
        assertThatThrownBy(() -> ReportJson.read(other)).isInstanceOfSatisfying(HarnessException.class, e -> {
            assertThat(e.exitCode().code()).isEqualTo(2);
            assertThat(e.getMessage()).contains("has no report.json").doesNotContain("\n");
        });
        Files.writeString(other.resolve("report.json"), "{\"schema\": \"vmclock-conformance/report/v0\"}");
        assertThatThrownBy(() -> ReportJson.read(other)).isInstanceOfSatisfying(HarnessException.class, e -> {
            assertThat(e.exitCode().code()).isEqualTo(2);
            assertThat(e.getMessage()).contains("schema 'vmclock-conformance/report/v0'")
                    .contains("reads vmclock-conformance/report/v2 and vmclock-conformance/report/v1").doesNotContain("\n");
        });
    }
}
