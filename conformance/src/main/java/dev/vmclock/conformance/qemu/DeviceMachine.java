package dev.vmclock.conformance.qemu;

import dev.vmclock.conformance.vm.DeviceBus;
import dev.vmclock.harness.Device;
import dev.vmclock.harness.memory.QtestMemory;
import dev.vmclock.harness.qemu.Accelerator;
import dev.vmclock.harness.qemu.MachineSpec;
import dev.vmclock.harness.qemu.QemuBinary;
import dev.vmclock.harness.qemu.QemuDevices;
import dev.vmclock.harness.qemu.QemuVm;
import dev.vmclock.harness.qemu.RtcBackend;
import java.util.Optional;

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

    /** With {@code backend}, the device is that vhost-user back end behind QEMU's front end (started with the machine). */
    static DeviceMachine start(QemuBinary qemu, Device device, Optional<RtcBackend.CommandLine> backend) {
        MachineSpec.Builder spec = MachineSpec.deviceOnly(device);
        // QEMU hands a vhost-user device its rings only while the VM runs: no -S, and the qtest accelerator so that
        // no firmware runs either (it would assign the BARs the host driver assigns).
        backend.ifPresent(b -> spec.rtcBackend(b).accelerator(Accelerator.QTEST).startPaused(false));
        QemuVm vm = QemuVm.start(qemu, spec.build());
        try {
            QtestMemory qtest = QtestMemory.connect(vm.runDirectory().resolve("qtest.sock"));
            Optional<RtcBackend> rtc = vm.rtcBackend();
            String name = rtc.map(b -> RtcBackend.FRONT_END + " with the back end " + b.command()).orElse(QemuDevices.name(device));
            return new DeviceMachine(vm, qtest, new DeviceBus(qtest, "QEMU " + qemu + " with " + name + " over qtest",
                    () -> rtc.filter(b -> !b.isAlive()).map(b -> "the virtio-rtc back end " + b.exitDescription()
                            + " (its output is kept in the run's evidence, _target/rtc-backend-bus.*)")));
        } catch (RuntimeException e) {
            vm.close();
            throw e;
        }
    }

    DeviceBus bus() {
        return bus;
    }

    /** The back end behind the device, when it is one. */
    Optional<RtcBackend> rtcBackend() {
        return vm.rtcBackend();
    }

    @Override
    public void close() {
        qtest.close();
        vm.close();
    }
}
