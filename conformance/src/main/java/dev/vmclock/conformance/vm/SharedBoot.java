package dev.vmclock.conformance.vm;

import dev.vmclock.harness.HarnessException;
import dev.vmclock.harness.guest.GuestSession;
import java.util.function.Consumer;
import java.util.function.Predicate;

/**
 * The run's one machine, booted once: by the first check that needs it, or early on a thread of its own so the boot
 * overlaps JUnit's discovery. A failed boot answers for the whole run (every check that needs the guest is an ERROR
 * at once, instead of each waiting out its own boot timeout). A boot that failed for a reason that says nothing about
 * the device ({@link GuestSession#isTransientBootFailure}: a hung or mis-calibrated TCG boot, a hypervisor gone
 * while the guest booted) is retried once, and the evidence says so.
 */
public final class SharedBoot {

    private final String thread;
    private final Runnable boot;
    private final Predicate<HarnessException> retry;
    private final Consumer<String> retried;
    private boolean booted;
    private HarnessException failure;

    /**
     * @param thread  the name of the early boot's thread
     * @param boot    boots and readies the machine, leaving it where its target keeps it
     * @param retry   which failures are worth a second boot
     * @param retried told why, when the first boot failed and the second was tried
     */
    public SharedBoot(String thread, Runnable boot, Predicate<HarnessException> retry, Consumer<String> retried) {
        this.thread = thread;
        this.boot = boot;
        this.retry = retry;
        this.retried = retried;
    }

    /** With the usual rule: transient failures ({@link GuestSession#isTransientBootFailure}) are retried once. */
    public SharedBoot(String thread, Runnable boot, Consumer<String> retried) {
        this(thread, boot, GuestSession::isTransientBootFailure, retried);
    }

    /** Boots now unless done; a failure, now or earlier in the run, is thrown. */
    public synchronized void ensure() {
        if (failure != null) {
            throw new HarnessException(failure.exitCode(), "the guest did not boot earlier in this run: "
                    + failure.getMessage(), failure);
        }
        if (booted) {
            return;
        }
        try {
            try {
                boot.run();
            } catch (HarnessException e) {
                if (!retry.test(e)) {
                    throw e;
                }
                boot.run();
                retried.accept("the first boot failed and was retried: " + e.getMessage());
            }
            booted = true;
        } catch (HarnessException e) {
            failure = e;
            throw e;
        }
    }

    /** Starts {@link #ensure()} on a thread of its own; a failure waits for the first check that needs the machine. */
    public void startEarly(Runnable ensure) {
        Thread t = new Thread(() -> {
            try {
                ensure.run();
            } catch (RuntimeException e) {
                // kept as the failure: the first check that asks reports it
            }
        }, thread);
        t.setDaemon(true);
        t.start();
    }
}
