package dev.vmclock.conformance.view;

import dev.vmclock.conformance.vm.Capability;
import dev.vmclock.conformance.vm.VmTarget;
import dev.vmclock.harness.ExitCode;
import dev.vmclock.harness.HarnessException;

/**
 * The run's history as a resource of the target: made once per target, driven once by the first check that asks
 * (from whichever view), and observed at each step by the device views: the VMClock page through the
 * {@link VmclockView}'s {@link PageSource} (when there is one, registered before anything runs: the host's view, or
 * the guest's read of the page), the guest probe, and the guest's virtio-rtc clocks. So what a step records does not
 * depend on which view asked first.
 */
public final class TargetHistory {

    private final VmTarget target;
    private final VirtioRtcGuestView rtc;
    private RunHistory.Pages pages = RunHistory.Pages.NONE;
    private RunHistory history;
    private RuntimeException failure;

    public TargetHistory(VmTarget target) {
        this.target = target;
        this.rtc = new VirtioRtcGuestView(target, this);
    }

    /** The page at each step, as the VMClock view's source sees it; set by the view when it is made, before the chain runs. */
    synchronized void observePages(RunHistory.Pages pages) {
        if (history != null || failure != null) {
            throw new IllegalStateException("the run's history was driven before its pages were observed");
        }
        this.pages = pages;
    }

    /**
     * The chain, driven now if no check drove it yet; each asking check gets it in its own evidence. One broken
     * chain answers for the run: later checks that need it are ERRORs at once.
     */
    public RunHistory get() {
        target.require(Capability.GUEST_AGENT);
        RunHistory h;
        synchronized (this) {
            if (failure != null) {
                throw new HarnessException(ExitCode.HARNESS_ERROR, "the run's history broke earlier in this run: "
                        + failure.getMessage(), failure);
            }
            if (history == null) {
                try {
                    history = RunHistory.drive(target, pages, rtc);
                } catch (RuntimeException e) {
                    failure = e;
                    throw e;
                }
                target.evidence().text("history.txt", history.toString());
                return history;
            }
            h = history;
        }
        target.evidence().note("the run's history was driven once, by the first check that needed it; its QMP lines "
                + "are in that check's evidence");
        target.evidence().text("history.txt", h.toString());
        return h;
    }
}
