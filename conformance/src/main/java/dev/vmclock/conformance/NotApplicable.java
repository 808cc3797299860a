package dev.vmclock.conformance;

import dev.vmclock.harness.page.Flag;
import dev.vmclock.harness.page.VmclockPage;
import org.opentest4j.TestAbortedException;

/**
 * A clause whose feature the implementation does not advertise is NOT_APPLICABLE, never a silent
 * pass or skip: the reason always names the flag, device or capability that is absent.
 */
public final class NotApplicable {

    public static final String PREFIX = "NOT_APPLICABLE: ";

    private NotApplicable() {
    }

    public static TestAbortedException because(String reason) {
        return new TestAbortedException(PREFIX + reason);
    }

    /** Aborts unless {@code page} advertises {@code flag}. */
    public static void unlessFlag(VmclockPage page, Flag flag) {
        if (!page.flags().has(flag)) {
            throw because("flag " + flag + " (bit " + flag.bit() + ") is not advertised (flags = 0x"
                    + Long.toHexString(page.flags().raw()) + ")");
        }
    }

    /**
     * Aborts unless the page advertises a clock: counter_id names a counter. INVALID (0xff) advertises none;
     * an undefined value names no counter a guest could read, so its clock data cannot be judged either
     * (VMC-COUNTER-01 fails the value itself).
     */
    public static void unlessClock(VmclockPage page) {
        if (page.counterId().value() == 0xff) {
            throw because("counter_id is INVALID (0xff): the device advertises no clock, so there is no clock data to check");
        }
        if (!page.counterId().isDefined()) {
            throw because("counter_id " + page.counterId().label() + " is not a defined counter (see VMC-COUNTER-01): "
                    + "no clock can be read from it, so its clock data cannot be judged");
        }
    }

    public static void unless(boolean condition, String reason) {
        if (!condition) {
            throw because(reason);
        }
    }
}
