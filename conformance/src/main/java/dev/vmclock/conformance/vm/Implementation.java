package dev.vmclock.conformance.vm;

import java.util.Map;
import java.util.Optional;

/**
 * The implementation under test as every output names it: which VMM ({@code qemu}, {@code firecracker}, an adapter),
 * its version, the binary and where it runs ({@code local} or a container image), the machine and accelerator, and
 * what else identifies it (package versions of an image, an adapter's own record).
 *
 * @param vmm         the provider's name
 * @param version     the VMM's version as it reports it
 * @param path        the binary (inside the container when {@code where} is an image)
 * @param where       {@code local}, or the container image it runs in
 * @param machine     the machine type
 * @param accelerator the accelerator ({@code kvm}, {@code tcg})
 * @param acceleratorReason why that accelerator
 * @param details     further facts, e.g. an image's package versions
 * @param hop         a cross-version hop's destination, when every new VMM process starts from it
 */
public record Implementation(String vmm, String version, String path, String where, String machine,
                             String accelerator, String acceleratorReason, Map<String, String> details,
                             Optional<Hop> hop) {

    public Implementation {
        details = Map.copyOf(details);
    }

    /** The destination of a cross-version hop: its VMM and the machine type both sides run. */
    public record Hop(String version, String path, String where, Map<String, String> details, String machineType) {
        public Hop {
            details = Map.copyOf(details);
        }
    }

    /** "QEMU 11.1.3 (image), q35, tcg": how a line names it. */
    public String describe() {
        return displayName() + " " + version + (where.equals("local") ? "" : " (" + where + ")")
                + hop.map(h -> " -> " + h.version()).orElse("") + ", " + machine + ", " + accelerator;
    }

    /** The VMM's own spelling: QEMU, Firecracker, Cloud Hypervisor; an adapter's name as it gave it. */
    public String displayName() {
        return displayName(vmm);
    }

    /** How {@code vmm} (a provider's name) is spelt in every output. */
    public static String displayName(String vmm) {
        return switch (vmm) {
            case "qemu" -> "QEMU";
            case "firecracker" -> "Firecracker";
            case "cloud-hypervisor" -> "Cloud Hypervisor";
            default -> vmm;
        };
    }
}
