package dev.vmclock.gate;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.vmclock.conformance.run.SuiteRun;
import dev.vmclock.report.Report;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The gate's rules on made-up runs: expectations per clause and per check, stale entries, baselines. */
class GateTest {

    static final String CUT_SHORT = "BufferSizeTest#headerCutShortIsEinval";
    static final String TOO_SHORT = "BufferSizeTest#requestShorterThanItsStructureIsEinval";
    static final FailOn MUST = new FailOn(SuiteRun.Gate.MUST, false);
    static final FailOn MUST_STALE = new FailOn(SuiteRun.Gate.MUST, true);

    @TempDir
    Path dir;

    private Expected expect(String entries, Report run) throws Exception {
        Path f = Files.writeString(dir.resolve("e.yaml"), "schema: vmclock-conformance/expectations/v1\nexpectations:\n"
                + entries);
        return Expected.forSubject(ExpectationsFile.read(f, Runs.SPEC), Subject.of(run.implementation()));
    }

    private static Runs stock11() {
        return Runs.run().check("VRTC-OP-08", TOO_SHORT, "PASS").check("VRTC-OP-08", CUT_SHORT, "FAIL")
                .check("VMC-FLAGS-03", "FlagsTest#taiOffsetValidIsSet", "FAIL")
                .check("VRTC-OP-05", "StatusTest#unknownHwCounterIsEopnotsupp", "PASS");
    }

    private static final String CUT_SHORT_EXPECTED =
            "  - {clause: VRTC-OP-08, checks: [" + CUT_SHORT + "], expected: FAIL, reason: NEEDS_RESET}\n";

    @Test
    void withoutExpectationsTheGateJudgesAgainstTheSpec() {
        Gate.Judged j = Gate.judge(stock11().report(), MUST, Optional.empty(), Optional.empty());
        assertThat(j.holds()).isFalse();
        assertThat(j.report().gateResult().failing()).containsExactly("VRTC-OP-08");
        assertThat(Gate.judge(stock11().report(), new FailOn(SuiteRun.Gate.SHOULD, false), Optional.empty(),
                Optional.empty()).report().gateResult().failing()).containsExactly("VRTC-OP-08", "VMC-FLAGS-03");
    }

    @Test
    void anExpectedFailHoldsTheGateAndIsMarkedExpected() throws Exception {
        Report run = stock11().report();
        Gate.Judged j = Gate.judge(run, MUST, Optional.of(expect(CUT_SHORT_EXPECTED, run)), Optional.empty());
        assertThat(j.holds()).isTrue();
        Report.ClauseReport op08 = j.report().clauses().stream().filter(c -> c.id().equals("VRTC-OP-08")).findFirst()
                .orElseThrow();
        assertThat(op08.expectation().outcome()).isEqualTo("expected");
        assertThat(op08.expectation().reason()).isEqualTo("NEEDS_RESET");
        assertThat(op08.tests()).extracting(t -> t.expectation().outcome()).containsExactly("expected", "expected");
        // A SHOULD FAIL nothing expected is unexpected, but the MUST gate does not count it.
        assertThat(j.report().gateResult().expectations().unexpected())
                .containsExactly("VMC-FLAGS-03 FlagsTest#taiOffsetValidIsSet: FAIL, expected PASS or NOT_APPLICABLE");
    }

    /** The case the issue saw: a clause FAILs for one check already; a second check of it that starts to FAIL is news. */
    @Test
    void aSecondFailingCheckOfAnExpectedFailingClauseIsUnexpected() throws Exception {
        Report broken = Runs.run().check("VRTC-OP-08", TOO_SHORT, "FAIL").check("VRTC-OP-08", CUT_SHORT, "FAIL").report();
        Gate.Judged j = Gate.judge(broken, MUST, Optional.of(expect(CUT_SHORT_EXPECTED, broken)), Optional.empty());
        assertThat(j.holds()).isFalse();
        assertThat(j.report().gateResult().failing()).containsExactly("VRTC-OP-08");
        assertThat(j.report().gateResult().expectations().unexpected())
                .containsExactly("VRTC-OP-08 " + TOO_SHORT + ": FAIL, expected PASS or NOT_APPLICABLE");
        // A whole-clause entry is coarser: it expects the clause to FAIL, whichever check does.
        Gate.Judged coarse = Gate.judge(broken, MUST, Optional.of(expect(
                "  - {clause: VRTC-OP-08, expected: FAIL, reason: cut short}\n", broken)), Optional.empty());
        assertThat(coarse.holds()).isTrue();
    }

    @Test
    void anExpectedFailThatNowPassesIsStaleAndFailsTheGateOnlyWhenAsked() throws Exception {
        Report fixed = Runs.run().check("VRTC-OP-08", TOO_SHORT, "PASS").check("VRTC-OP-08", CUT_SHORT, "PASS").report();
        Expected e = expect(CUT_SHORT_EXPECTED, fixed);
        assertThat(Gate.judge(fixed, MUST, Optional.of(e), Optional.empty()).holds()).isTrue();
        Gate.Judged strict = Gate.judge(fixed, MUST_STALE, Optional.of(e), Optional.empty());
        assertThat(strict.holds()).isFalse();
        assertThat(strict.report().gateResult().expectations().unexpectedPass())
                .containsExactly("VRTC-OP-08 " + CUT_SHORT + ": PASS, expected FAIL");
        assertThat(strict.report().gateResult().expectations().outcomes())
                .isEqualTo(Map.of("expected", 0, "unexpected", 0, "unexpected-pass", 1));
    }

    @Test
    void anErrorWhereAFailWasExpectedBreaksTheGateAtAnyStrength() throws Exception {
        Report run = Runs.run().check("VMC-FLAGS-03", "FlagsTest#taiOffsetValidIsSet", "ERROR").report();
        Gate.Judged j = Gate.judge(run, MUST, Optional.of(expect(
                "  - {clause: VMC-FLAGS-03, checks: [FlagsTest#taiOffsetValidIsSet], expected: FAIL, reason: no TAI}\n",
                run)), Optional.empty());
        assertThat(j.report().gateResult().failing()).containsExactly("VMC-FLAGS-03");
    }

    @Test
    void conditionsSelectEntriesAndTwoThatBothApplyAreBadInput() throws Exception {
        Report run = stock11().version("10.0.2").report();
        String onlyOn11 = "  - {clause: VRTC-OP-08, checks: [" + CUT_SHORT + "], expected: FAIL, reason: x,"
                + " when: {version: '11.1'}}\n";
        assertThat(Gate.judge(run, MUST, Optional.of(expect(onlyOn11, run)), Optional.empty()).holds()).isFalse();
        String both = onlyOn11.replace("'11.1'", "'>=10'") + onlyOn11.replace("'11.1'", "'10.0'");
        assertThatThrownBy(() -> expect(both, run))
                .hasMessageContaining("both apply to qemu 10.0.2, q35, tcg, local: narrow their when: conditions");
    }

    @Test
    void baselineWorseBetterAndNotJudged() {
        Report master = stock11().check("VMC-DISRUPT-01", "DisruptionMarkerTest#changesOnLiveMigration", "PASS").report();
        Report patched = Runs.run().check("VRTC-OP-08", TOO_SHORT, "FAIL").check("VRTC-OP-08", CUT_SHORT, "FAIL")
                .check("VMC-FLAGS-03", "FlagsTest#taiOffsetValidIsSet", "PASS")
                .check("VRTC-OP-05", "StatusTest#unknownHwCounterIsEopnotsupp", "NOT_APPLICABLE")
                .check("VRTC-OP-07", "StatusTest#nonzeroReservedFieldIsEinval", "FAIL").report();
        Gate.Judged j = Gate.judge(patched, MUST, Optional.empty(), Optional.of(new Baseline("master", master)));
        Report.BaselineResult b = j.report().gateResult().baseline();
        assertThat(b.worse()).containsExactly("VRTC-OP-08 " + TOO_SHORT + ": PASS -> FAIL",
                "VRTC-OP-07 StatusTest#nonzeroReservedFieldIsEinval: absent -> FAIL");
        assertThat(b.better()).containsExactly("VMC-FLAGS-03 FlagsTest#taiOffsetValidIsSet: FAIL -> PASS");
        assertThat(b.notJudged()).containsExactly("VMC-DISRUPT-01");
        assertThat(j.report().gateResult().failing()).containsExactly("VRTC-OP-08", "VRTC-OP-07");
        // Against itself nothing got worse: the stock FAILs do not break the patch gate.
        assertThat(Gate.judge(master, MUST, Optional.empty(), Optional.of(new Baseline("master", master))).holds())
                .isTrue();
    }

    @Test
    void aV1BaselineGatesAV2Run() throws Exception {
        // The fixture is the baseline above ("master") as a v1 report.json of QEMU 10.0.2 in an image.
        Baseline v1 = Baseline.read(dev.vmclock.report.ReportV1Test.copyInto(dir.resolve("v1")));
        assertThat(Subject.of(v1.report().implementation()))
                .isEqualTo(new Subject("qemu", "10.0.2", "pc-q35-10.0", "tcg", "vmclock-conformance/qemu-debian:trixie-0"));
        Report patched = Runs.run().check("VRTC-OP-08", TOO_SHORT, "FAIL").check("VRTC-OP-08", CUT_SHORT, "FAIL")
                .check("VMC-FLAGS-03", "FlagsTest#taiOffsetValidIsSet", "PASS")
                .check("VRTC-OP-05", "StatusTest#unknownHwCounterIsEopnotsupp", "NOT_APPLICABLE").report();
        Gate.Judged j = Gate.judge(patched, MUST, Optional.empty(), Optional.of(v1));
        Report.BaselineResult b = j.report().gateResult().baseline();
        assertThat(b.implementation()).isEqualTo("qemu 10.0.2, pc-q35-10.0, tcg, vmclock-conformance/qemu-debian:trixie-0");
        assertThat(b.worse()).containsExactly("VRTC-OP-08 " + TOO_SHORT + ": PASS -> FAIL");
        assertThat(b.better()).containsExactly("VMC-FLAGS-03 FlagsTest#taiOffsetValidIsSet: FAIL -> PASS");
        assertThat(b.notJudged()).containsExactly("VMC-DISRUPT-01");
        assertThat(j.holds()).isFalse();
    }

    @Test
    void theWrittenFileIsOneTheRunPassesWithAndKeepsReasons() throws Exception {
        Report run = stock11().report();
        Path written = Files.writeString(dir.resolve("w.yaml"), ExpectationsWriter.write(run, "run1", Optional.empty(),
                Optional.empty()));
        ExpectationsFile f = ExpectationsFile.read(written, Runs.SPEC);
        assertThat(f.entries()).extracting(Expectation::describe)
                .containsExactly("VRTC-OP-08 " + CUT_SHORT, "VMC-FLAGS-03 FlagsTest#taiOffsetValidIsSet");
        assertThat(f.entries().get(0).reason()).isEqualTo("FAIL of " + CUT_SHORT);
        Gate.Judged j = Gate.judge(run, MUST_STALE, Optional.of(Expected.forSubject(f, Subject.of(run.implementation()))),
                Optional.empty());
        assertThat(j.report().gateResult().expectations().outcomes()).containsEntry("expected", 3);
        assertThat(j.holds()).isTrue();
        // Rewritten with a reason of our own: it is kept, as is the file's condition; new entries take --reason.
        Path reasoned = Files.writeString(dir.resolve("r.yaml"), "schema: vmclock-conformance/expectations/v1\n"
                + "when: {vmm: qemu}\nexpectations:\n" + CUT_SHORT_EXPECTED.replace("reason: NEEDS_RESET",
                        "reason: NEEDS_RESET, link: 'https://example.org/1'"));
        String again = ExpectationsWriter.write(run, "run2", Optional.of(ExpectationsFile.read(reasoned, Runs.SPEC)),
                Optional.of("QEMU publishes no clock data"));
        ExpectationsFile g = ExpectationsFile.read(Files.writeString(dir.resolve("g.yaml"), again), Runs.SPEC);
        assertThat(g.shared().describe()).isEqualTo("vmm qemu");
        assertThat(g.entries()).extracting(Expectation::reason)
                .containsExactly("NEEDS_RESET", "QEMU publishes no clock data");
        assertThat(g.entries().get(0).link()).contains("https://example.org/1");
    }
}
