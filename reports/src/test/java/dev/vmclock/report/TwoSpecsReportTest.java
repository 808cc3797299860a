package dev.vmclock.report;

import static org.assertj.core.api.Assertions.assertThat;

import dev.vmclock.conformance.run.SuiteRun;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** A run over VMClock and virtio-rtc clauses: nothing in the reports assumes the VMC prefix. */
class TwoSpecsReportTest {

    @TempDir
    Path runDir;

    private Report build() {
        return ReportBuilder.build(SyntheticRun.writeTwoSpecs(runDir), SyntheticRun.context(runDir, SuiteRun.Gate.MUST));
    }

    @Test
    void bothSpecsAreClausesOfOneSchemaValidReport() throws Exception {
        Report r = build();
        assertThat(r.clauses()).extracting(Report.ClauseReport::id, Report.ClauseReport::section).containsExactly(
                org.assertj.core.groups.Tuple.tuple(SyntheticRun.FAILING, "Constant fields"),
                org.assertj.core.groups.Tuple.tuple(SyntheticRun.VRTC_FAILING, "virtio-rtc: clock reads"),
                org.assertj.core.groups.Tuple.tuple("VRTC-CFG-01", "virtio-rtc: configuration"));
        assertThat(r.gateResult().failing()).containsExactly(SyntheticRun.FAILING, SyntheticRun.VRTC_FAILING);
        assertThat(r.totals().byStrength().get("MUST")).containsEntry("FAIL", 2);
        var doc = ReportJson.MAPPER.readTree(java.nio.file.Files.readString(ReportJson.write(r, runDir)));
        assertThat(ReportSchemaTest.load().validate(doc)).isEmpty();
    }

    @Test
    void onlyVmclockEvidenceIsDecodedAsPages() {
        Map<String, EvidenceView> evidence = EvidenceView.forReport(build(), runDir);
        EvidenceView vmc = evidence.get("evidence/ConstantFieldsTest.unchangedAcrossLiveMigration");
        assertThat(vmc.diffs()).singleElement().satisfies(d -> assertThat(d.changed()).contains("version"));
        assertThat(vmc.binaries()).isEmpty();
        EvidenceView vrtc = evidence.get("evidence/ReadTest.clockReadIsMonotonic");
        assertThat(vrtc.diffs()).isEmpty();
        assertThat(vrtc.pages()).isEmpty();
        assertThat(vrtc.problems()).as("a virtio response is no broken VMClock page").isEmpty();
        assertThat(vrtc.binaries()).singleElement().satisfies(b -> {
            assertThat(b.name()).isEqualTo("read-response.bin");
            assertThat(b.size()).isEqualTo(24);
            assertThat(b.hex()).startsWith("0000  01 00 00");
        });
        assertThat(vrtc.notes().text()).contains("VIRTIO_RTC_REQ_READ");
    }

    @Test
    void pagesAreTitledByTheSpecsTheyReport(@TempDir Path other) {
        Report r = build();
        assertThat(HtmlReport.render(r, runDir)).contains("<title>VMClock and virtio-rtc conformance: QEMU 10.0.2 (gate fails)")
                .contains("\"vmm_name\" : \"QEMU\"")
                .contains("\"title\" : \"VMClock and virtio-rtc conformance report\"").contains("VRTC-READ-02");
        Report vmcOnly = ReportBuilder.build(SyntheticRun.write(other, true), SyntheticRun.context(other, SuiteRun.Gate.MUST));
        assertThat(HtmlReport.render(vmcOnly, other)).contains("<title>VMClock conformance: ");
        Map<Path, Report> runs = new java.util.LinkedHashMap<>();
        runs.put(other, vmcOnly);
        runs.put(runDir, r);
        assertThat(Comparison.of(runs).html()).contains("<title>VMClock and virtio-rtc conformance: 2 runs compared");
    }

    @Test
    void specsAreToldByPrefix() {
        assertThat(Specs.prefix("VRTC-READ-02")).isEqualTo("VRTC");
        assertThat(Specs.names(java.util.List.of("VMC-SEQ-01", "VMC-SEQ-02"))).isEqualTo("VMClock");
        assertThat(Specs.names(java.util.List.of("XYZ-A-01", "VMC-SEQ-01"))).isEqualTo("XYZ and VMClock");
    }
}
