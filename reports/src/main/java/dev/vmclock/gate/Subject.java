package dev.vmclock.gate;

import dev.vmclock.report.Report;

/**
 * What an expectation's condition ({@code when:}) is matched against: the implementation record of a run.
 *
 * @param vmm         the VMM as its provider names it ({@code qemu}, {@code firecracker}, ...)
 * @param version     the VMM's version as the run recorded it
 * @param machine     the machine type
 * @param accelerator {@code tcg}, {@code kvm}, ...
 * @param image       where the VMM ran: {@code local}, or the container image's tag
 */
public record Subject(String vmm, String version, String machine, String accelerator, String image) {

    public static Subject of(Report.Implementation i) {
        return new Subject(i.vmm().name(), i.vmm().version(), i.machine(), i.accelerator().name(), i.vmm().where());
    }

    /** One line, for the console and for messages. */
    public String describe() {
        return vmm + " " + version + ", " + machine + ", " + accelerator + ", " + image;
    }
}
