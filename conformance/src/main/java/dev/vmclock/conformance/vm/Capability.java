package dev.vmclock.conformance.vm;

import dev.vmclock.harness.ExitCode;
import dev.vmclock.harness.HarnessException;
import java.util.Arrays;
import java.util.EnumSet;
import java.util.Locale;
import java.util.Set;
import java.util.stream.Collectors;

/**
 * What a target can do for the suite. A check that needs a capability the target lacks is NOT_APPLICABLE
 * naming it ({@link VmTarget#require}), never an ERROR: this is how other hypervisors, with fewer
 * knobs than QEMU, plug in.
 */
public enum Capability {
    /** The host reads guest-physical memory (QEMU: QMP pmemsave). */
    HOST_MEMORY("read guest memory from the host"),
    /** The host writes guest memory as the hypervisor would (QEMU: the qtest socket, under TCG). */
    HYPERVISOR_WRITER("write guest memory as the hypervisor (needs the qtest socket, TCG)"),
    /** Snapshots inside the VM's own storage (QEMU: savevm/loadvm). */
    SNAPSHOT("save and load snapshots"),
    /** Pausing the VM and resuming it on the same host. */
    PAUSE_RESUME("pause and resume"),
    /** Live migration to a second instance. */
    LIVE_MIGRATION("migrate live"),
    /** Saving the VM to a file and restoring it, in place or as a second machine beside it. */
    FILE_RESTORE("save to a file and restore"),
    /** A fresh machine of the same configuration, with firmware only, for reset checks. */
    FRESH_MACHINE("start a second, firmware-only machine"),
    /** A Linux guest with the suite's agent. */
    GUEST_AGENT("run the suite's guest agent"),
    /**
     * Every event that starts a new hypervisor process (live migration, restore from a file, loading a snapshot)
     * starts it from a second implementation: the state one version wrote is judged as another loads it.
     */
    CROSS_VERSION_HOP("hop between two hypervisor versions"),
    /** A device driven from the host by the suite's own driver, no guest between (QEMU: qtest). */
    DEVICE_BUS("drive a device from the host with the suite's own driver (QEMU: qtest on a guest-less machine)");

    private final String description;

    Capability(String description) {
        this.description = description;
    }

    /**
     * The capabilities {@code list} names, comma-separated (as {@code run --without} takes them); an unknown name is
     * bad input naming the known ones.
     */
    public static Set<Capability> parseList(String list) {
        Set<Capability> set = EnumSet.noneOf(Capability.class);
        for (String name : list.split("[,\\s]+")) {
            if (name.isBlank()) {
                continue;
            }
            try {
                set.add(valueOf(name.strip().toUpperCase(Locale.ROOT).replace('-', '_')));
            } catch (IllegalArgumentException e) {
                throw new HarnessException(ExitCode.USAGE, "unknown capability '" + name.strip() + "': give one or more of "
                        + Arrays.stream(values()).map(Enum::name).collect(Collectors.joining(", ")));
            }
        }
        return set;
    }

    /** What the target cannot do, for a NOT_APPLICABLE reason: "the target cannot ..." */
    public String description() {
        return description;
    }
}
