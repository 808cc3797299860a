package dev.vmclock.conformance.view;

import dev.vmclock.conformance.NotApplicable;
import dev.vmclock.conformance.vm.Capability;
import dev.vmclock.conformance.vm.VmTarget;
import dev.vmclock.harness.Device;
import dev.vmclock.harness.guest.AgentException;
import dev.vmclock.harness.page.HostPageReader;
import dev.vmclock.harness.page.SeqCountStuckException;
import dev.vmclock.harness.page.VmclockPage;
import java.util.function.Supplier;
import org.opentest4j.TestAbortedException;

/**
 * Where a {@link VmclockView} reads the VMClock page: the boot page, the page now, the page right before and right
 * after an event, and the pages of the run's history. {@link Host}: guest-physical memory read by the host under the
 * seq_count protocol, when the target can ({@link Capability#HOST_MEMORY}). {@link Guest}: for a target without that
 * view but with the suite's guest agent, the whole page as the guest reads it through read() of /dev/vmclock0, where
 * ptp_vmclock follows the seq_count protocol (it copies again while seq_count is odd or changed during the copy, and
 * gives up with ETIMEDOUT after 100 ms). A check does not know which source it is given; what only the host can see (a
 * copy with no seq_count protocol, seq_count sampled alone, the ACPI tables, the page's address for the hypervisor's
 * writer, machines with no guest of the suite's) stays with the view, which requires HOST_MEMORY for it.
 */
public sealed interface PageSource permits PageSource.Host, PageSource.Guest {

    /** Where the page is read, for the evidence ("read from the host ..." or "read in the guest ..."; see {@link VmclockView#PAGE_SOURCE}). */
    String where();

    /** The page now, under the seq_count protocol; what the source cannot read is NOT_APPLICABLE or an ERROR. */
    VmclockPage read();

    /**
     * The page now, for the record of a moment (the boot page, before and after an event): consistent when it can be,
     * else whatever the source saw of what the device presented (the host: its last raw copy, said in the evidence).
     */
    VmclockPage observe();

    /** The page now for the run's history: the page, or why this source could not see it at this moment. */
    Sighting sighting();

    /**
     * A page as the source saw it at one moment, or why it did not: asking a page that was not seen rethrows why (a
     * NOT_APPLICABLE naming what is missing, or the guest's refusal, an ERROR).
     */
    record Sighting(VmclockPage page, RuntimeException unseen) {
        static Sighting of(VmclockPage page) {
            return new Sighting(page, null);
        }

        static Sighting unseen(RuntimeException why) {
            return new Sighting(null, why);
        }

        boolean seen() {
            return page != null;
        }

        /** The page; rethrows why there is none. */
        VmclockPage get() {
            if (page == null) {
                throw unseen;
            }
            return page;
        }
    }

    /** The host's view when the target has it, or when it has no guest agent either (then NOT_APPLICABLE naming it). */
    static PageSource of(VmTarget target, Supplier<HostPageReader> hostReader) {
        return target.has(Capability.HOST_MEMORY) || !target.has(Capability.GUEST_AGENT)
                ? new Host(target, hostReader) : new Guest(target);
    }

    /** Guest-physical memory, read by the host at the page's address under the seq_count protocol. */
    final class Host implements PageSource {
        private final VmTarget target;
        private final Supplier<HostPageReader> reader;

        Host(VmTarget target, Supplier<HostPageReader> reader) {
            this.target = target;
            this.reader = reader;
        }

        @Override
        public String where() {
            return "read from the host: guest-physical memory at the page's address, copied under the seq_count protocol";
        }

        @Override
        public VmclockPage read() {
            try {
                return reader.get().read().page();
            } catch (SeqCountStuckException e) {
                throw NotApplicable.because("no consistent page can be read: seq_count stays odd (" + e.getMessage()
                        + "); see VMC-SEQ-06");
            }
        }

        @Override
        public VmclockPage observe() {
            try {
                return reader.get().read().page();
            } catch (SeqCountStuckException e) {
                target.evidence().note("no consistent read (" + e.getMessage() + "): raw page recorded");
                return e.lastPage();
            }
        }

        @Override
        public Sighting sighting() {
            if (!target.has(Capability.HOST_MEMORY)) {
                return Sighting.unseen(NotApplicable.because(target.lacks(Capability.HOST_MEMORY)));
            }
            return Sighting.of(observe());
        }
    }

    /**
     * The guest's read() of /dev/vmclock0 through the suite's agent: the whole page (its {@code size} bytes, one read()
     * the driver copies under the seq_count protocol), as a guest program sees it. A refusal with an errno (no
     * /dev/vmclock0, a read that gave up) is kept for the moment it happened; an agent that does not answer breaks
     * what asked, as every guest call does.
     */
    final class Guest implements PageSource {
        private final VmTarget target;

        Guest(VmTarget target) {
            this.target = target;
        }

        @Override
        public String where() {
            return "read in the guest: read() of /dev/vmclock0 by the suite's agent, the whole page as the guest sees "
                    + "it (ptp_vmclock copies it again while seq_count is odd or changed); the target has no host view "
                    + "of guest memory (capability " + Capability.HOST_MEMORY + ")";
        }

        @Override
        public VmclockPage read() {
            target.require(Device.VMCLOCK);
            try {
                return target.guest().read().page();
            } catch (AgentException e) {
                throw unreadable(e);
            }
        }

        @Override
        public VmclockPage observe() {
            return read();
        }

        @Override
        public Sighting sighting() {
            try {
                return Sighting.of(read());
            } catch (TestAbortedException e) {
                return Sighting.unseen(e);
            } catch (AgentException e) {
                if (e.errno().isEmpty()) {
                    throw e; // no answer at all: the guest is gone, which no later step would survive either
                }
                return Sighting.unseen(e);
            }
        }

        /**
         * A guest call that failed, as seen without the host's view: no /dev/vmclock0 is NOT_APPLICABLE (a missing
         * device and one the driver had to refuse look alike from the guest, and only the host's view of the page and
         * the ACPI tables could tell them apart: VMC-DRIVER-01 judges the driver's binding); any other refusal, such as
         * a read() that gave up while seq_count never settled, is what it is (an ERROR quoting the agent).
         */
        RuntimeException unreadable(AgentException e) {
            if (e.errno().filter("ENOENT"::equals).isPresent()) {
                target.require(Device.VMCLOCK);
                return NotApplicable.because("the guest has no /dev/vmclock0, so the page cannot be read in the guest, "
                        + "and without the host's view of it (capability " + Capability.HOST_MEMORY + ") the suite "
                        + "cannot tell a missing device from one its driver had to refuse (" + e.getMessage() + ")");
            }
            return e;
        }
    }
}
