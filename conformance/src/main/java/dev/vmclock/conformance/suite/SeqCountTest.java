package dev.vmclock.conformance.suite;

import static org.assertj.core.api.Assertions.assertThat;

import dev.vmclock.conformance.Clause;
import dev.vmclock.conformance.NotApplicable;
import dev.vmclock.conformance.VmclockConformance;
import dev.vmclock.conformance.target.Event;
import dev.vmclock.conformance.target.Observation;
import dev.vmclock.conformance.target.RunHistory;
import dev.vmclock.conformance.target.VmclockView;
import dev.vmclock.harness.guest.StressResult;
import dev.vmclock.harness.page.VmclockPage;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** UAPI.13 §The vmclock_abi structure: seq_count, the sequence lock around every dynamic field. */
@VmclockConformance
class SeqCountTest {

    /** How long a guest may reasonably spin on an odd seq_count (the Linux driver gives up after 100 ms). */
    static final long SPIN_BOUND_MS = 100;

    @Test
    @Clause("VMC-SEQ-01")
    void evenAtBoot(VmclockView vmclock) {
        assertThat(vmclock.bootPage().seqCount() % 2).as("seq_count at boot (%d) is even", vmclock.bootPage().seqCount())
                .isZero();
    }

    @Test
    @Clause("VMC-SEQ-01")
    void evenAfterEveryLifecycleEvent(VmclockView vmclock) {
        for (RunHistory.Step step : vmclock.history().steps()) {
            VmclockPage atRest = step.after();
            assertThat(atRest.seqCount() % 2).as("seq_count (%d) at rest after %s", atRest.seqCount(), step.kind()).isZero();
        }
    }

    @Test
    @Clause("VMC-SEQ-02")
    void updateAdvancesSeqCountByAtLeastTwo(VmclockView vmclock) {
        Observation o = vmclock.observed(Event.SNAPSHOT_LOAD);
        // From an odd value (an update left open, VMC-SEQ-01's FAIL) no update's advance can be told apart.
        NotApplicable.unless(o.before().seqCount() % 2 == 0, "seq_count was odd (" + o.before().seqCount()
                + ") before the update, so its advance cannot be judged (see VMC-SEQ-01)");
        long advance = (o.after().seqCount() - o.before().seqCount()) & 0xffffffffL;
        assertThat(advance).as("seq_count advance over an update (odd, then even again)").isGreaterThanOrEqualTo(2);
    }

    @Test
    @Clause("VMC-SEQ-03")
    void newEvenValueAfterLoadvm(VmclockView vmclock) {
        assertNewEven(vmclock.observed(Event.SNAPSHOT_LOAD));
    }

    @Test
    @Clause("VMC-SEQ-03")
    void newEvenValueAfterLiveMigration(VmclockView vmclock) {
        assertNewEven(vmclock.observed(Event.LIVE_MIGRATION));
    }

    @Test
    @Clause("VMC-SEQ-03")
    void newEvenValueAfterFileRestore(VmclockView vmclock) {
        assertNewEven(vmclock.observed(Event.FILE_RESTORE));
    }

    private static void assertNewEven(Observation o) {
        NotApplicable.unless(!o.changedFields().isEmpty(), "the page did not change across " + o.event());
        assertThat(o.after().seqCount()).as("seq_count after %s", o.event()).isNotEqualTo(o.before().seqCount());
        assertThat(o.after().seqCount() % 2).as("seq_count after %s is even", o.event()).isZero();
    }

    /** Along each of the guest's timelines through the run's history, from the boot page on. */
    @Test
    @Clause("VMC-SEQ-04")
    void neverDecreasesAcrossChainedEvents(VmclockView vmclock) {
        RunHistory history = vmclock.history();
        vmclock.evidence().note(history.describe("seq_count", VmclockPage::seqCount));
        for (List<RunHistory.Presented> timeline : history.timelinesOfPages()) {
            for (int i = 1; i < timeline.size(); i++) {
                RunHistory.Presented previous = timeline.get(i - 1);
                RunHistory.Presented now = timeline.get(i);
                long delta = (now.page().seqCount() - previous.page().seqCount()) & 0xffffffffL;
                assertThat(delta).as("seq_count %d (%s) -> %d (%s) moves forward (mod 2^32)", previous.page().seqCount(),
                        previous.when(), now.page().seqCount(), now.when()).isLessThan(1L << 31);
            }
        }
    }

    @Test
    @Clause("VMC-SEQ-05")
    void noFieldChangeWithoutSeqCountChange(VmclockView vmclock) throws InterruptedException {
        List<VmclockPage> reads = new ArrayList<>();
        for (int i = 0; i < 20; i++) {
            reads.add(vmclock.rawPage());
            Thread.sleep(15);
        }
        for (int i = 1; i < reads.size(); i++) {
            VmclockPage a = reads.get(i - 1);
            VmclockPage b = reads.get(i);
            if (a.seqCount() == b.seqCount() && !a.updateInProgress()) {
                if (!a.changedFields(b).isEmpty()) {
                    vmclock.evidence().page("read-" + (i - 1), a);
                    vmclock.evidence().page("read-" + i, b);
                }
                assertThat(a.changedFields(b)).as("fields changed while seq_count stayed %d", a.seqCount()).isEmpty();
            }
        }
    }

    @Test
    @Clause("VMC-SEQ-05")
    void equalEvenSeqCountMeansEqualContents(VmclockView vmclock) {
        VmclockPage guest = vmclock.guestMmap().page();
        VmclockPage host = vmclock.rawPage();
        NotApplicable.unless(guest.seqCount() == host.seqCount(), "the page was updated between the two reads");
        assertThat(guest.changedFields(host)).as("guest mmap() and host view under the same seq_count %d",
                host.seqCount()).isEmpty();
    }

    @Test
    @Clause("VMC-SEQ-06")
    void oddWindowShortEnoughToSpin(VmclockView vmclock) throws InterruptedException {
        long oddSince = -1;
        long longest = 0;
        long end = System.nanoTime() + 4 * SPIN_BOUND_MS * 1_000_000;
        while (System.nanoTime() < end) {
            boolean odd = vmclock.rawPage().updateInProgress();
            long now = System.nanoTime();
            if (odd && oddSince < 0) {
                oddSince = now;
            } else if (!odd) {
                oddSince = -1;
            }
            if (oddSince >= 0) {
                longest = Math.max(longest, (now - oddSince) / 1_000_000);
            }
            Thread.sleep(5);
        }
        assertThat(longest).as("longest time seq_count was seen odd (ms)").isLessThan(SPIN_BOUND_MS);
    }

    @Test
    @Clause("VMC-SEQ-07")
    void noTornReadsUnderStress(VmclockView vmclock) {
        StressResult r = vmclock.inGuest(() -> vmclock.guest().stress(20_000));
        vmclock.evidence().note("guest stress: " + r);
        assertThat(r.torn()).as("reads that differed under one even, unchanged seq_count").isZero();
    }

    @Test
    @Clause("VMC-SEQ-08")
    void guestReaderRetriesWhenSeqCountChanges(VmclockView vmclock) {
        NotApplicable.unless(vmclock.canWritePage(), "the suite cannot write the page here (needs the qtest socket, TCG)");
        long before = vmclock.guestMmap().page().seqCount();
        vmclock.updatePage(p -> { });
        VmclockPage seen = vmclock.guestRead().page();
        assertThat(seen.seqCount()).as("the guest's read() after a host update").isEqualTo(before + 2);
    }

    @Test
    @Clause({"VMC-SEQ-08", "VMC-DRIVER-06"})
    void guestReaderWaitsWhileSeqCountOdd(VmclockView vmclock) {
        NotApplicable.unless(vmclock.canWritePage(), "the suite cannot write the page here (needs the qtest socket, TCG)");
        vmclock.guestRead();
        vmclock.whileSeqCountOdd(() -> {
            long t0 = System.nanoTime();
            Throwable t = org.assertj.core.api.Assertions.catchThrowable(() -> vmclock.guest().read());
            long waitedMs = (System.nanoTime() - t0) / 1_000_000;
            vmclock.evidence().note("guest read() with seq_count odd: " + t + " after " + waitedMs + " ms");
            assertThat(t).as("read() while seq_count stays odd").isNotNull().hasMessageContaining("ETIMEDOUT");
            assertThat(waitedMs).as("time the guest spun before giving up (ms)").isGreaterThanOrEqualTo(SPIN_BOUND_MS);
        });
    }
}
