package dev.vmclock.harness.virtio;

import dev.vmclock.harness.memory.QtestMemory;
import dev.vmclock.harness.qemu.DebianQemuImage;
import dev.vmclock.harness.qemu.DebianSuite;
import dev.vmclock.harness.qemu.MachineSpec;
import dev.vmclock.harness.qemu.QemuBinary;
import dev.vmclock.harness.qemu.QemuContainer;
import dev.vmclock.harness.qemu.QemuVm;
import java.util.List;
import java.util.Optional;

/** A QEMU with no guest code and its qtest bus, where the host-side driver meets a device; closing it closes both. */
public final class QtestMachine implements AutoCloseable {

    private final QemuVm vm;
    private final QtestMemory bus;

    private QtestMachine(QemuVm vm, QtestMemory bus) {
        this.vm = vm;
        this.bus = bus;
    }

    public static QtestMachine start(QemuBinary qemu, MachineSpec spec) {
        QemuVm vm = QemuVm.start(qemu, spec);
        try {
            return new QtestMachine(vm, QtestMemory.connect(vm.runDirectory().resolve("qtest.sock")));
        } catch (RuntimeException e) {
            vm.close();
            throw e;
        }
    }

    /** QEMU 11.1 (virtio-rtc) as the project builds it, from Debian trixie-backports, unless -Dvmclock.rtcImage names another. */
    public static QemuBinary qemuWithVirtioRtc() {
        String image = Optional.ofNullable(System.getProperty("vmclock.rtcImage")).filter(s -> !s.isBlank())
                .orElseGet(() -> DebianQemuImage.shipped().ensureBuilt(DebianSuite.TRIXIE_BACKPORTS));
        return QemuBinary.locate(QemuContainer.shared(image, List.of()), null);
    }

    public QemuVm vm() {
        return vm;
    }

    public QtestMemory bus() {
        return bus;
    }

    @Override
    public void close() {
        try {
            bus.close();
        } finally {
            vm.close();
        }
    }
}
