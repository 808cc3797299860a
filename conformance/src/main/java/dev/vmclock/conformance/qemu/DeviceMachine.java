package dev.vmclock.conformance.qemu;

import dev.vmclock.conformance.view.VirtioRtcFault;
import dev.vmclock.conformance.vm.DeviceBus;
import dev.vmclock.harness.Device;
import dev.vmclock.harness.ExitCode;
import dev.vmclock.harness.HarnessException;
import dev.vmclock.harness.memory.IoBus;
import dev.vmclock.harness.memory.QtestMemory;
import dev.vmclock.harness.qemu.MachineSpec;
import dev.vmclock.harness.qemu.QemuBinary;
import dev.vmclock.harness.qemu.QemuDevices;
import dev.vmclock.harness.qemu.QemuVm;
import java.util.List;
import java.util.Optional;
import java.util.ServiceLoader;

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

    static DeviceMachine start(QemuBinary qemu, Device device, Optional<String> fault) {
        QemuVm vm = QemuVm.start(qemu, MachineSpec.deviceOnly(device).build());
        try {
            QtestMemory qtest = QtestMemory.connect(vm.runDirectory().resolve("qtest.sock"));
            IoBus io = fault.map(id -> fault(id).wrap(qtest)).orElse(qtest);
            String name = QemuDevices.name(device);
            return new DeviceMachine(vm, qtest, new DeviceBus(io, "QEMU " + qemu + " with " + name + " over qtest"
                    + fault.map(f -> "; fault: " + f).orElse("")));
        } catch (RuntimeException e) {
            vm.close();
            throw e;
        }
    }

    DeviceBus bus() {
        return bus;
    }

    private static VirtioRtcFault fault(String id) {
        List<VirtioRtcFault> all = ServiceLoader.load(VirtioRtcFault.class).stream().map(ServiceLoader.Provider::get).toList();
        return all.stream().filter(f -> f.id().equals(id)).findFirst().orElseThrow(() -> new HarnessException(
                ExitCode.USAGE, "unknown vmclock.vrtcFault '" + id + "'; on the classpath: "
                        + all.stream().map(VirtioRtcFault::id).toList()));
    }

    @Override
    public void close() {
        qtest.close();
        vm.close();
    }
}
