package dev.vmclock.conformance.suite;

import static org.assertj.core.api.Assertions.assertThat;

import dev.vmclock.conformance.Clause;
import dev.vmclock.conformance.NotApplicable;
import dev.vmclock.conformance.VmclockConformance;
import dev.vmclock.conformance.vm.Event;
import dev.vmclock.conformance.view.Observation;
import dev.vmclock.conformance.view.RunHistory;
import dev.vmclock.conformance.view.VmclockView;
import dev.vmclock.harness.acpi.AcpiDevice;
import dev.vmclock.harness.acpi.AcpiTables;
import dev.vmclock.harness.acpi.AmlNotify;
import dev.vmclock.harness.guest.AcpiEventCounts;
import dev.vmclock.harness.guest.PollResult;
import dev.vmclock.harness.page.Flag;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/**
 * Notifications (UAPI.13 §Discovery via ACPI, step 4, and the flag table): optional; if implemented,
 * advertised by VMCLOCK_FLAG_NOTIFICATION_PRESENT (bit 9) and raised after every new even seq_count.
 * Observed as the guest kernel sees them: its ACPI event counters (SCIs and GPEs in
 * /sys/firmware/acpi/interrupts, Generic Event Device interrupts in /proc/interrupts) before and after
 * each event, and poll() on /dev/vmclock0; and in the AML the firmware publishes (the Notify itself).
 */
@VmclockConformance
class NotificationTest {

    @Test
    @Clause("VMC-NOTIFY-01")
    void recordsWhetherDeviceNotifies(VmclockView vmclock) {
        boolean advertised = vmclock.bootPage().flags().has(Flag.NOTIFICATION_PRESENT);
        vmclock.evidence().note("NOTIFICATION_PRESENT advertised: " + advertised);
        PollResult idle = vmclock.inGuest(() -> vmclock.guest().poll(Duration.ofMillis(200)));
        vmclock.evidence().note("poll() with no update: " + idle);
        // MAY: either answer conforms, but it must be the one the flag announces.
        assertThat(idle.hungUp()).as("POLLHUP exactly when notifications are not advertised").isEqualTo(!advertised);
    }

    /**
     * A device that notifies must say so. Linux answers poll() with POLLHUP at once when the flag is clear
     * (VMC-DRIVER-10), so the guest's poll cannot show it; what can: the AML notifying the VMClock device
     * while the guest counts ACPI notifications across the events of the run's history, with the flag clear.
     */
    @Test
    @Clause("VMC-NOTIFY-02")
    void notifyingDeviceAdvertisesFlag(VmclockView vmclock) {
        boolean advertised = vmclock.bootPage().flags().has(Flag.NOTIFICATION_PRESENT);
        List<AmlNotify> notifies = amlNotifiesOfDevice(vmclock);
        RunHistory history = vmclock.history();
        long counted = 0;
        for (RunHistory.Step step : history.steps()) {
            if (step.guestAfter() == null) {
                continue; // savevm: the guest's side of it is the load that follows
            }
            AcpiEventCounts before = history.guestBeforeOnItsTimeline(step).acpiEvents();
            AcpiEventCounts after = step.guestAfter().acpiEvents();
            NotApplicable.unless(before.present(), "the guest has no ACPI event counters (/sys/firmware/acpi/interrupts)");
            counted += notifications(before, after);
            vmclock.evidence().note(step.kind() + ": seq_count " + step.before().seqCount() + " -> "
                    + step.after().seqCount() + "; ACPI counters that grew in the guest: " + after.increaseSince(before));
        }
        vmclock.evidence().note("NOTIFICATION_PRESENT advertised: " + advertised + "; Notify() on the device in the AML: "
                + notifies + "; notifications the guest counted across the history: " + counted);
        if (!advertised) {
            assertThat(!notifies.isEmpty() && counted > 0)
                    .as("the AML notifies the VMClock device and the guest counted %d ACPI notification(s) across "
                            + "the run's events, yet NOTIFICATION_PRESENT (bit 9) is clear", counted)
                    .isFalse();
        }
    }

    /** The steps of the history after which the device writes a new even seq_count (FACTS.md: QEMU's restores and migrations). */
    private static final List<RunHistory.Kind> UPDATING_STEPS = List.of(RunHistory.Kind.SNAPSHOT_LOAD,
            RunHistory.Kind.LIVE_MIGRATION, RunHistory.Kind.FILE_RESTORE);

    /**
     * After every event with which the device moves seq_count to a new even value, the guest kernel counts
     * an ACPI notification: an SCI (GPE path) or a Generic Event Device interrupt. The counters are the run's
     * history's, read before each event and after it, in the guest's own timeline (a restore brings back the
     * moment of the save, which comes after the first reading).
     */
    @Test
    @Clause("VMC-NOTIFY-03")
    void notificationAfterEverySeqCountUpdate(VmclockView vmclock) {
        NotApplicable.unlessFlag(vmclock.bootPage(), Flag.NOTIFICATION_PRESENT);
        RunHistory history = vmclock.history();
        List<String> silent = new ArrayList<>();
        int updates = 0;
        for (RunHistory.Kind kind : UPDATING_STEPS) {
            RunHistory.Step step = history.step(kind);
            AcpiEventCounts before = history.guestBeforeOnItsTimeline(step).acpiEvents();
            AcpiEventCounts after = step.guestAfter().acpiEvents();
            NotApplicable.unless(before.present(), "the guest has no ACPI event counters (/sys/firmware/acpi/interrupts)");
            Map<String, Long> grew = after.increaseSince(before);
            boolean updated = step.after().seqCount() != step.before().seqCount() && step.after().seqCount() % 2 == 0;
            vmclock.evidence().note(kind + ": seq_count " + step.before().seqCount() + " -> " + step.after().seqCount()
                    + "; ACPI counters that grew in the guest: " + grew);
            if (!updated) {
                continue;
            }
            updates++;
            if (notifications(before, after) == 0) {
                silent.add(kind + " (seq_count " + step.before().seqCount() + " -> " + step.after().seqCount() + ")");
            }
        }
        NotApplicable.unless(updates > 0, "no event moved seq_count to a new even value");
        assertThat(silent).as("updates of seq_count after which the guest counted no SCI and no GED interrupt").isEmpty();
    }

    /**
     * On the wake-up a notification causes, the page already shows the completed update: seq_count even and
     * the new marker. Only wake-ups that come with a counted ACPI notification are judged (a poll pending
     * across loadvm also returns when its timeout expires, and then reports POLLIN because seq_count moved).
     * Judged across loadvm: a poll pending across a migration or restore has no reply path to the new QEMU.
     */
    @Test
    @Clause("VMC-NOTIFY-04")
    void readOnWakeSeesCompletedUpdate(VmclockView vmclock) {
        NotApplicable.unlessFlag(vmclock.bootPage(), Flag.NOTIFICATION_PRESENT);
        vmclock.inGuest(() -> vmclock.guest().poll(Duration.ZERO)); // read(): this descriptor has seen the page
        AcpiEventCounts before = vmclock.inGuest(() -> vmclock.guest().acpiEvents());
        Duration timeout = Duration.ofSeconds(5);
        VmclockView.Awaited<PollResult> across = vmclock.across(Event.SNAPSHOT_LOAD, () -> {
            var pending = vmclock.guest().startPoll(timeout);
            sleep(100);
            return () -> vmclock.inGuest(pending::await);
        });
        Observation o = across.observation();
        PollResult woke = across.result();
        AcpiEventCounts after = vmclock.inGuest(() -> vmclock.guest().acpiEvents());
        vmclock.evidence().note("poll() across loadvm: " + woke + "; ACPI counters that grew: " + after.increaseSince(before));
        NotApplicable.unless(notifications(before, after) > 0, "no ACPI notification reached the guest across loadvm "
                + "(see VMC-NOTIFY-03), so no wake-up can be judged");
        NotApplicable.unless(woke.elapsedNanos() < timeout.toNanos() * 9 / 10, "poll() returned at its own timeout ("
                + woke.elapsedNanos() / 1_000_000 + " ms), not woken by the notification the guest counted (a Notify on "
                + "another device? see VMC-NOTIFY-05)");
        assertThat(woke.readable()).as("poll() woken by the notification reports POLLIN (%s)", woke).isTrue();
        assertThat(woke.seqCountAfterWake() % 2).as("seq_count %d on wake-up is even", woke.seqCountAfterWake())
                .isZero();
        assertThat(woke.markerAfterWake()).as("disruption_marker on wake-up is the new one")
                .isEqualTo(o.after().disruptionMarker());
    }

    /**
     * The firmware's AML notifies the VMClock device with code 0x80: some GPE {@code _Exx} or GED {@code _EVT}
     * method contains {@code Notify(<device>, 0x80)} (the delivery path is not checked, Errata 14).
     */
    @Test
    @Clause("VMC-NOTIFY-05")
    void amlNotifiesDeviceWithCode0x80(VmclockView vmclock) {
        NotApplicable.unlessFlag(vmclock.bootPage(), Flag.NOTIFICATION_PRESENT);
        NotApplicable.unless(vmclock.acpiDevices().size() == 1, "not exactly one ACPI device AMZNC10C (see VMC-ACPI-04)");
        NotApplicable.unless(vmclock.acpiTables().isPresent(), "no ACPI tables (see VMC-ACPI-04)");
        assertThat(amlNotifiesOfDevice(vmclock)).as("Notify(<VMClock device>, ...) calls in DSDT/SSDTs")
                .anyMatch(n -> n.value().isPresent() && n.value().getAsLong() == 0x80);
    }

    /** Every {@code Notify} in the firmware's AML whose target is the one AMZNC10C device; empty without one. */
    private static List<AmlNotify> amlNotifiesOfDevice(VmclockView vmclock) {
        List<AcpiDevice> devices = vmclock.acpiDevices();
        Optional<AcpiTables> tables = vmclock.acpiTables();
        if (devices.size() != 1 || tables.isEmpty()) {
            return List.of();
        }
        String name = devices.get(0).name();
        String segment = name.substring(Math.max(0, name.length() - 4));
        List<AmlNotify> notifies = tables.get().notifiesOf(segment);
        vmclock.evidence().note("Notify() calls on " + segment + " in the AML: " + notifies);
        return notifies;
    }

    /** SCIs plus Generic Event Device interrupts: the two ways an ACPI Notify reaches the guest. */
    private static long notifications(AcpiEventCounts before, AcpiEventCounts after) {
        return (after.sci() - before.sci()) + (after.gedInterrupts() - before.gedInterrupts());
    }

    private static void sleep(long ms) {
        try {
            Thread.sleep(ms);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
