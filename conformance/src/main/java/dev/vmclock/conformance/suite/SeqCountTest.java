package dev.vmclock.conformance.suite;

import static org.assertj.core.api.Assertions.assertThat;

import dev.vmclock.conformance.Clause;
import dev.vmclock.conformance.NotApplicable;
import dev.vmclock.conformance.VmclockConformance;
import dev.vmclock.conformance.vm.Event;
import dev.vmclock.conformance.view.Observation;
import dev.vmclock.conformance.view.RunHistory;
import dev.vmclock.conformance.view.VmclockView;
import dev.vmclock.harness.guest.AgentException;
import dev.vmclock.harness.guest.StressResult;
import dev.vmclock.harness.page.VmclockPage;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.atomic.AtomicBoolean;
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

    /**
     * seq_count is odd only while the device updates, so it is sampled as fast as the host can read it
     * while updates happen: the suite's own, as the hypervisor, when it can write the page, and one of the
     * device's clock writer when the target has one. The longest odd stretch seen (first to last odd
     * sample, so never longer than the real one) must stay below the Linux driver's 100 ms wait; the
     * sampling interval, the measurement's resolution, is in the evidence.
     */
    @Test
    @Clause("VMC-SEQ-06")
    void oddWindowShortEnoughToSpin(VmclockView vmclock) throws Exception {
        vmclock.rawPage(); // a device to sample; NOT_APPLICABLE without one
        AtomicBoolean sampling = new AtomicBoolean(true);
        ExecutorService host = Executors.newSingleThreadExecutor(r -> new Thread(r, "seq-count-sampler"));
        // One complete update first, so an update some earlier event left open (VMC-SEQ-01's) is closed whatever
        // ran before; then a quiet stretch with no update by the suite: an odd seq_count there is the device's own,
        // and the suite's updates (each ending even) cannot hide it. It lasts until the sampler covered twice the bound.
        if (vmclock.canWritePage()) {
            vmclock.updatePage(p -> { });
        }
        CountDownLatch quiet = new CountDownLatch(1);
        Future<OddWindows> sampler = host.submit(() -> OddWindows.sample(vmclock, sampling, quiet));
        int updates = 0;
        try {
            quiet.await(10 * SPIN_BOUND_MS, java.util.concurrent.TimeUnit.MILLISECONDS); // a broken sampler ends in get()
            long end = System.nanoTime() + 4 * SPIN_BOUND_MS * 1_000_000;
            do {
                if (vmclock.canWritePage()) {
                    vmclock.updatePage(p -> { });
                    updates++;
                }
                Thread.sleep(ThreadLocalRandom.current().nextLong(SPIN_BOUND_MS / 10 + 1));
            } while (System.nanoTime() < end);
            vmclock.target().updateClock().ifPresent(vmclock.evidence()::note);
        } finally {
            sampling.set(false);
            host.shutdown();
        }
        OddWindows w = sampler.get();
        vmclock.evidence().note(updates + " updates by the suite as the hypervisor; " + w);
        assertThat(w.longestNanos() / 1_000_000).as("longest time seq_count was seen odd (ms; %s)", w)
                .isLessThan(SPIN_BOUND_MS);
    }

    /** What a sampler of seq_count saw: odd stretches, seq_count values, and its own interval. */
    record OddWindows(int samples, int distinctSeqCounts, int oddStretches, long longestNanos, long maxIntervalNanos,
            long medianIntervalNanos) {
        static OddWindows sample(VmclockView vmclock, AtomicBoolean sampling, CountDownLatch quiet) {
            List<Long> intervals = new ArrayList<>();
            java.util.Set<Long> seen = new java.util.HashSet<>();
            int stretches = 0;
            long longest = 0;
            long oddSince = -1;
            long last = System.nanoTime();
            long first = -1;
            while (sampling.get() || intervals.isEmpty()) {
                long seq = vmclock.seqCountNow();
                long now = System.nanoTime();
                if (first < 0) {
                    first = now;
                } else if (now - first >= 2 * SPIN_BOUND_MS * 1_000_000) {
                    quiet.countDown();
                }
                intervals.add(now - last);
                last = now;
                seen.add(seq);
                if ((seq & 1) != 0) {
                    if (oddSince < 0) {
                        oddSince = now;
                        stretches++;
                    }
                    longest = Math.max(longest, now - oddSince);
                } else {
                    oddSince = -1;
                }
            }
            List<Long> sorted = intervals.stream().sorted().toList();
            return new OddWindows(intervals.size(), seen.size(), stretches, longest, sorted.get(sorted.size() - 1),
                    sorted.get(sorted.size() / 2));
        }

        @Override
        public String toString() {
            return samples + " samples (interval median " + medianIntervalNanos / 1000 + " us, max "
                    + maxIntervalNanos / 1000 + " us), " + distinctSeqCounts + " seq_count values, " + oddStretches
                    + " odd stretches, the longest " + longestNanos / 1000 + " us";
        }
    }

    @Test
    @Clause("VMC-SEQ-07")
    void noTornReadsUnderStress(VmclockView vmclock) {
        StressResult r = vmclock.inGuest(() -> vmclock.guest().stress(20_000));
        vmclock.evidence().note("guest stress: " + r);
        assertThat(r.torn()).as("reads that differed under one even, unchanged seq_count").isZero();
    }

    /**
     * The guest's read() of /dev/vmclock0 racing updates the hypervisor makes at random instants: a reader
     * that retries when seq_count changed returns whole updates only, never two of them mixed.
     */
    @Test
    @Clause("VMC-SEQ-08")
    void guestReaderRetriesWhenSeqCountChanges(VmclockView vmclock) {
        UpdateRace.Result<List<VmclockPage>> race = UpdateRace.run(vmclock, "the guest's read()", () -> {
            List<VmclockPage> pages = new ArrayList<>();
            int gaveUp = 0;
            for (int i = 0; i < RACED_READS; i++) {
                try {
                    pages.add(vmclock.guest().read().page());
                } catch (AgentException e) {
                    // The driver gives up while seq_count stays odd: on a loaded host the suite's own racing update
                    // can hold it odd that long. That read says nothing about retrying, so it is left out.
                    if (!e.errno().filter("ETIMEDOUT"::equals).isPresent()) {
                        vmclock.inGuest(() -> {
                            throw e; // no /dev/vmclock0 and the like: mapped as every guest view maps it
                        });
                    }
                    gaveUp++;
                }
            }
            vmclock.evidence().note(gaveUp + " of " + RACED_READS + " read()s gave up (ETIMEDOUT) while an update "
                    + "of the race held seq_count odd");
            NotApplicable.unless(!pages.isEmpty(), "every read() gave up while the race's updates held seq_count odd");
            return pages;
        });
        List<VmclockPage> reads = race.reading();
        List<Long> tags = reads.stream().map(UpdateRace::tag).toList();
        vmclock.evidence().note("tags the guest's " + reads.size() + " read()s returned (-1: two updates mixed): " + tags);
        if (tags.stream().distinct().count() < 2) {
            throw new IllegalStateException("no update landed while the guest read (" + race.updates()
                    + " updates, every read returned tag " + tags.get(0) + "): the race did not happen");
        }
        reads.stream().filter(p -> UpdateRace.tag(p) < 0).findFirst().ifPresent(p -> vmclock.evidence().page("torn-read", p));
        assertThat(tags).as("guest read()s that mixed two updates (time_esterror_nanosec != time_maxerror_nanosec)")
                .doesNotContain(-1L);
        assertThat(reads).as("seq_count of each read() is even").allMatch(p -> !p.updateInProgress());
    }

    /** How many read()s race the updates: enough that a reader which never retries is caught mixing two. */
    private static final int RACED_READS = 60;

    @Test
    @Clause({"VMC-SEQ-08", "VMC-DRIVER-06"})
    void guestReaderWaitsWhileSeqCountOdd(VmclockView vmclock) {
        vmclock.requirePageWriter();
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
