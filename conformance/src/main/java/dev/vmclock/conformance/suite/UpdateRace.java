package dev.vmclock.conformance.suite;

import dev.vmclock.conformance.view.VmclockView;
import dev.vmclock.harness.page.PageField;
import dev.vmclock.harness.page.VmclockPage;
import java.time.Duration;
import java.util.Random;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.function.Supplier;

/**
 * The hypervisor's writer racing a reader in the guest (UAPI.13: the device may update the page at any
 * time, and a reader copes). While the reader runs, the suite, as the hypervisor, publishes well-formed
 * updates back to back at random instants; each writes one tag into two fields, time_esterror_nanosec and
 * time_maxerror_nanosec, with separate writes. A copy that honours seq_count never holds two different
 * tags. The page before the race is published again after it.
 */
final class UpdateRace {

    /** Gaps between updates are drawn from 0 to this many ms: updates land at every phase of a read. */
    private static final int MAX_GAP_MS = 2;

    /** What the reader returned, how many updates were published while it ran, and the seed of their instants. */
    record Result<T>(T reading, int updates, long seed) {
    }

    private UpdateRace() {
    }

    /** How long the reader may take before the race is called off: an ERROR, not a verdict. */
    private static final Duration READER_LIMIT = Duration.ofMinutes(2);

    static <T> Result<T> run(VmclockView vmclock, String reader, Supplier<T> read) {
        // One read before the race: a guest that cannot read the page says so here, not while the race holds the view.
        vmclock.guestRead();
        long seed = System.nanoTime();
        Random random = new Random(seed);
        return vmclock.withTemporaryPage("updates racing " + reader, p -> tag(p, 1), () -> {
            ExecutorService guestSide = Executors.newSingleThreadExecutor(r -> new Thread(r, "guest-reader"));
            try {
                Future<T> reading = guestSide.submit(read::get);
                int updates = 0;
                long giveUp = System.nanoTime() + READER_LIMIT.toNanos();
                do {
                    if (System.nanoTime() > giveUp) {
                        reading.cancel(true);
                        throw new IllegalStateException(reader + " did not finish within " + READER_LIMIT);
                    }
                    long t = updates + 2;
                    vmclock.updatePage(p -> tag(p, t));
                    updates++;
                    Thread.sleep(random.nextInt(MAX_GAP_MS + 1));
                } while (!reading.isDone());
                vmclock.evidence().note(updates + " updates published while " + reader + " ran (instants from seed "
                        + seed + ", gaps 0-" + MAX_GAP_MS + " ms)");
                return new Result<>(reading.get(), updates, seed);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IllegalStateException("interrupted while racing " + reader, e);
            } catch (ExecutionException e) {
                if (e.getCause() instanceof RuntimeException r) {
                    throw r;
                }
                if (e.getCause() instanceof Error err) {
                    throw err;
                }
                throw new IllegalStateException(e.getCause());
            } finally {
                guestSide.shutdownNow();
            }
        });
    }

    private static void tag(byte[] page, long tag) {
        PageField.TIME_ESTERROR_NANOSEC.write(page, tag * 1000);
        PageField.TIME_MAXERROR_NANOSEC.write(page, tag * 1000);
    }

    /** The tag of a copy, or -1 when its two fields disagree (a torn copy). */
    static long tag(VmclockPage p) {
        return p.timeEsterrorNanosec() == p.timeMaxerrorNanosec() ? p.timeEsterrorNanosec() / 1000 : -1;
    }
}
