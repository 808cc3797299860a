package dev.vmclock.conformance.vm;


import dev.vmclock.conformance.NotApplicable;
import dev.vmclock.harness.events.EventResult;
import dev.vmclock.harness.guest.GuestAgent;
import dev.vmclock.harness.memory.PhysicalMemory;
import dev.vmclock.harness.memory.WritableMemory;
import dev.vmclock.harness.Device;
import java.util.List;
import java.util.Optional;
import java.util.Set;

/**
 * The implementation under test, as every conformance test sees it: one virtual machine that says what
 * it can do, goes through lifecycle events, and is observed from the host and from its guest. Device
 * views ({@code VmclockView}) are built on these primitives only, so a decorator (the self-test's
 * faults) that wraps a target changes what every view and check sees.
 *
 * <p>Tests never start processes or build QEMU options: they ask the target.
 */
public interface VmTarget extends AutoCloseable {

    /** One line naming the implementation: hypervisor and version, machine, accelerator, anything changed. */
    String describe();

    /** The machine type (QEMU: q35, pc, microvm). */
    String machineType();

    Set<Capability> capabilities();

    /** The time devices this target's machine has. */
    List<Device> devices();

    default boolean has(Capability capability) {
        return capabilities().contains(capability);
    }

    /** NOT_APPLICABLE unless the target can do {@code capability}. */
    default void require(Capability capability) {
        NotApplicable.unless(has(capability), lacks(capability));
    }

    /** Why the target lacks {@code capability}, for a NOT_APPLICABLE reason: {@link #cannot} plus what takes it away. */
    default String lacks(Capability capability) {
        return cannot(capability);
    }

    /** "the target cannot ... (capability C)". */
    static String cannot(Capability capability) {
        return "the target cannot " + capability.description() + " (capability " + capability + ")";
    }

    /** NOT_APPLICABLE unless the machine has {@code device}. */
    default void require(Device device) {
        NotApplicable.unless(devices().contains(device), "the target has no " + device.specName() + " device");
    }

    /**
     * {@code device} on a bus the suite's own driver drives from the host ({@link Capability#DEVICE_BUS}), started
     * on first use and kept for the run; NOT_APPLICABLE when the target offers no such bus or not that device on it.
     */
    DeviceBus deviceBus(Device device);

    /** Starts in the background what the first check will need (the guest's boot), so it overlaps the discovery. */
    default void startEarly() {
    }

    /** The guest agent of the shared guest, booted on first use ({@link Capability#GUEST_AGENT}). */
    GuestAgent guest();

    /** Guest memory as the host reads it now, following the machine across migrations and restores. */
    PhysicalMemory hostMemory();

    /** Guest memory the suite writes as the hypervisor would ({@link Capability#HYPERVISOR_WRITER}). */
    WritableMemory hypervisorMemory();

    /** Puts the machine through {@code event} in place (SYSTEM_RESET is observed on a {@link #freshMachine()}). */
    List<EventResult> undergo(Event event);

    /**
     * Readies the machine for {@code event} before its "before" is observed: across a cross-version hop the
     * machine goes back to the source first (a harness step), so the observation shows only the event.
     */
    default void prepareFor(Event event) {
    }

    /** savevm under {@code tag}; the machine keeps running. */
    EventResult saveSnapshot(String tag);

    /** loadvm of {@code tag}. */
    EventResult loadSnapshot(String tag);

    /** Saves the whole machine to a file; the source stops until {@link #restore(SavedState)}. */
    SavedState saveState();

    /** Restores the machine in place from {@code state} (a fresh hypervisor process takes it over). */
    EventResult restore(SavedState state);

    /** A second machine restored from {@code state}, beside the target. */
    Sibling startSibling(SavedState state);

    /** A fresh firmware-only machine of the same configuration ({@link Capability#FRESH_MACHINE}). */
    Sibling freshMachine();

    /**
     * The hypervisor's clock writer publishes a routine update now (a new counter_value/time pair while
     * the counter runs on), so that a check sees the parameters before and after an update it caused.
     * Empty when the target has no clock writer the suite can prompt.
     */
    default Optional<String> updateClock() {
        return Optional.empty();
    }

    /** The evidence of the test running now. */
    Evidence evidence();

    /** Opens the evidence directory of the test {@code name} starts (the extension calls this). */
    void beginTest(String name);

    /** Closes a test; a failed one keeps the guest console and the full transcript. */
    void endTest(boolean failed);

    /** Stops every process the target started. */
    @Override
    void close();
}
