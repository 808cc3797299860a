package dev.vmclock.conformance.qemu;

import dev.vmclock.conformance.vm.DeviceBus;
import dev.vmclock.harness.Device;
import dev.vmclock.harness.memory.QtestMemory;
import dev.vmclock.harness.qemu.MachineSpec;
import dev.vmclock.harness.qemu.QemuBinary;
import dev.vmclock.harness.qemu.QemuDevices;
import dev.vmclock.harness.qemu.QemuVm;

/** A guest-less QEMU with one device, reached over its qtest socket: QEMU's {@link DeviceBus}. */
final class DeviceMachine implements AutoCloseable {

    private final QemuVm vm;
    private final QtestMemory qtest;
    private final DeviceBus bus;

    private DeviceMachine(QemuVm vm, QtestMemory qtest, DeviceBus bus) {
        this.vm = vm;
        this.qtest = qtest;
        this.bus = bus;
    }

    static DeviceMachine start(QemuBinary qemu, Device device) {
        QemuVm vm = QemuVm.start(qemu, MachineSpec.deviceOnly(device).build());
        try {
            QtestMemory qtest = QtestMemory.connect(vm.runDirectory().resolve("qtest.sock"));
            String name = QemuDevices.name(device);
            return new DeviceMachine(vm, qtest, new DeviceBus(qtest, "QEMU " + qemu + " with " + name + " over qtest"));
        } catch (RuntimeException e) {
            vm.close();
            throw e;
        }
    }

    DeviceBus bus() {
        return bus;
    }

    @Override
    public void close() {
        qtest.close();
        vm.close();
    }
}
