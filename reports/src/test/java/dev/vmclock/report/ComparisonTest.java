package dev.vmclock.report;

import static org.assertj.core.api.Assertions.assertThat;

import dev.vmclock.conformance.run.SuiteRun;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Two runs side by side: columns per run, a row per clause, differing verdicts flagged. */
class ComparisonTest {

    @TempDir
    Path good;
    @TempDir
    Path bad;

    private Report report(Path dir, boolean broken) {
        return ReportBuilder.build(SyntheticRun.write(dir, broken), SyntheticRun.context(dir, SuiteRun.Gate.MUST));
    }

    private Comparison compare() {
        Map<Path, Report> runs = new LinkedHashMap<>();
        runs.put(good, report(good, false));
        runs.put(bad, report(bad, true));
        return Comparison.of(runs);
    }

    @Test
    void onlyTheClauseWhoseVerdictChangedDiffers() {
        Comparison c = compare();
        assertThat(c.columns()).extracting(Comparison.Column::gateHolds).containsExactly(true, false);
        assertThat(c.columns().get(0).label()).isEqualTo("QEMU 10.0.2 · q35 · tcg");
        assertThat(c.rows()).extracting(Comparison.Row::id)
                .containsExactly("VMC-CONST-02", "VMC-FLAGS-03", "VMC-SEQ-01", "VMC-TIME-06");
        assertThat(c.rows().get(0).verdicts()).containsExactly("PASS", "FAIL");
        assertThat(c.rows()).filteredOn(Comparison.Row::differs).extracting(Comparison.Row::id)
                .containsExactly("VMC-CONST-02");
        assertThat(c.differing()).isEqualTo(1);
    }

    @Test
    void eachColumnNamesItsOwnVmm() {
        Report qemu = report(good, false);
        Report.Implementation i = qemu.implementation();
        Report firecracker = new Report(qemu.schema(), new Report.Implementation(new Report.Vmm("firecracker", "1.15.0",
                "/usr/local/bin/firecracker"), "microvm", new Report.Accelerator("kvm", "the only one"), null, i.host()),
                qemu.run(), qemu.clauses(), qemu.totals(), qemu.gateResult());
        Map<Path, Report> runs = new LinkedHashMap<>();
        runs.put(good, qemu);
        runs.put(bad, firecracker);
        assertThat(Comparison.of(runs).columns()).extracting(Comparison.Column::label, Comparison.Column::vmm)
                .containsExactly(org.assertj.core.groups.Tuple.tuple("QEMU 10.0.2 · q35 · tcg", "qemu"),
                        org.assertj.core.groups.Tuple.tuple("Firecracker 1.15.0 · microvm · kvm", "firecracker"));
    }

    @Test
    void aClauseOneRunDidNotCheckIsNotRunThereWithoutCountingAsADifference() {
        Report full = report(good, false);
        Report partial = new Report(full.schema(), full.implementation(), full.run(), full.clauses().subList(0, 1),
                full.totals(), full.gateResult());
        Map<Path, Report> runs = new LinkedHashMap<>();
        runs.put(bad, partial);
        runs.put(good, full); // same verdicts where both ran
        Comparison c = Comparison.of(runs);
        assertThat(c.rows()).extracting(Comparison.Row::id).containsExactly("VMC-CONST-02", "VMC-FLAGS-03",
                "VMC-SEQ-01", "VMC-TIME-06");
        assertThat(c.rows().get(2).verdicts()).containsExactly(Comparison.NOT_RUN, "PASS");
        assertThat(c.rows()).noneMatch(Comparison.Row::differs);
    }

    @Test
    void pageIsSelfContainedAndEmbedsBothRuns() {
        String html = compare().html();
        assertThat(html).startsWith("<!DOCTYPE html>").contains("\"kind\" : \"comparison\"")
                .contains(good.toString()).contains(bad.toString())
                .doesNotContain("http://").doesNotContain("https://").doesNotContain("<link").doesNotContain("src=");
        assertThat(List.of(html.split("</script>", -1))).hasSize(3); // the data element and the script, nothing else
    }
}
