package dev.vmclock.harness.qemu;

import dev.vmclock.harness.Qemu;

/**
 * Run in a separate JVM by {@link ContainerTeardownTest}: starts a container of the host-QEMU image with
 * one QEMU in it, prints its run directory and the container id, then waits to be killed.
 */
public final class ContainerChildJvm {
    public static void main(String[] args) throws Exception {
        QemuContainer container = QemuContainer.start(HostQemuImage.ensureBuilt(Qemu.binary()), QemuContainer.defaultMounts());
        QemuVm vm = QemuVm.start(QemuBinary.locate(container, null), MachineSpec.builder().build());
        System.out.println("RUN_DIR=" + vm.runDirectory());
        System.out.println("CONTAINER_ID=" + container.containerId());
        System.out.flush();
        Thread.sleep(Long.MAX_VALUE);
    }
}
