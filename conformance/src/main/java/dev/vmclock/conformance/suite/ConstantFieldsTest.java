package dev.vmclock.conformance.suite;

import static org.assertj.core.api.Assertions.assertThat;

import dev.vmclock.conformance.Clause;
import dev.vmclock.conformance.VmclockConformance;
import dev.vmclock.conformance.vm.Event;
import dev.vmclock.conformance.view.Observation;
import dev.vmclock.conformance.view.RunHistory;
import dev.vmclock.conformance.view.VmclockView;
import dev.vmclock.harness.page.PageField;
import dev.vmclock.harness.page.VmclockPage;
import java.util.Arrays;
import org.junit.jupiter.api.Test;

/** UAPI.13: "The fields up to and including time_type are constant and shall not change during the lifetime of the device." */
@VmclockConformance
class ConstantFieldsTest {

    private static final int CONSTANT_BYTES = PageField.SEQ_COUNT.offset();

    /** Two copies of the page as the device presents it (an update held open does not hide the constants), 200 ms apart. */
    @Test
    @Clause("VMC-CONST-01")
    void constantFieldsUnchangedWhileRunning(VmclockView vmclock) throws InterruptedException {
        vmclock.bootPage();
        VmclockPage first = vmclock.presentedPage();
        Thread.sleep(200);
        assertConstantsEqual(first, vmclock.presentedPage(), "200 ms later, with no event");
    }

    @Test
    @Clause("VMC-CONST-02")
    void unchangedAcrossSavevm(VmclockView vmclock) {
        assertUnchangedSinceBoot(vmclock, vmclock.observed(Event.SNAPSHOT_SAVE));
    }

    @Test
    @Clause("VMC-CONST-02")
    void unchangedAcrossLoadvm(VmclockView vmclock) {
        assertUnchangedSinceBoot(vmclock, vmclock.observed(Event.SNAPSHOT_LOAD));
    }

    @Test
    @Clause("VMC-CONST-02")
    void unchangedAcrossLiveMigration(VmclockView vmclock) {
        assertUnchangedSinceBoot(vmclock, vmclock.observed(Event.LIVE_MIGRATION));
    }

    @Test
    @Clause("VMC-CONST-02")
    void unchangedAcrossFileRestore(VmclockView vmclock) {
        assertUnchangedSinceBoot(vmclock, vmclock.observed(Event.FILE_RESTORE));
    }

    @Test
    @Clause("VMC-CONST-02")
    void unchangedAcrossPauseResume(VmclockView vmclock) {
        assertUnchangedSinceBoot(vmclock, vmclock.observed(Event.PAUSE_RESUME));
    }

    @Test
    @Clause("VMC-CONST-02")
    void unchangedAcrossSystemReset(VmclockView vmclock) {
        // A fresh machine: its own before and after (the reference clock presents its constants on the target only).
        Observation o = vmclock.observed(Event.SYSTEM_RESET);
        assertConstantsEqual(o.before(), o.after(), "across " + o.event());
    }

    @Test
    @Clause("VMC-CONST-02")
    void unchangedAcrossOlderSnapshotLoad(VmclockView vmclock) {
        assertUnchangedSinceBoot(vmclock, vmclock.history().step(RunHistory.Kind.OLDER_SNAPSHOT_LOAD).observation());
    }

    /**
     * A lifetime rule: each page after an event is compared with the page before it and with the boot page,
     * so a change made at any earlier event (whichever check drove it) and kept since is seen too.
     */
    private static void assertUnchangedSinceBoot(VmclockView vmclock, Observation o) {
        assertConstantsEqual(o.before(), o.after(), "across " + o.event());
        assertConstantsEqual(vmclock.bootPage(), o.after(), "after " + o.event() + " compared with the boot page");
    }

    private static void assertConstantsEqual(VmclockPage before, VmclockPage after, String when) {
        assertThat(Arrays.copyOf(after.raw(), CONSTANT_BYTES))
                .as("bytes 0x00-0x0b (magic, size, version, counter_id, time_type) %s", when)
                .isEqualTo(Arrays.copyOf(before.raw(), CONSTANT_BYTES));
    }
}
