package dev.vmclock.conformance.qemu;

import dev.vmclock.conformance.vm.Capability;
import dev.vmclock.conformance.vm.ResolvedTarget;
import dev.vmclock.conformance.vm.TargetOptions;
import dev.vmclock.conformance.vm.VmmProfile;
import dev.vmclock.conformance.vm.VmmProvider;
import dev.vmclock.harness.Device;
import dev.vmclock.harness.qemu.QemuContainer;
import dev.vmclock.harness.qemu.QemuDevices;
import dev.vmclock.harness.qemu.RtcBackend;
import java.util.EnumSet;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;

/** QEMU, local or in a container image: the provider built in, and the reference for every other. */
public final class QemuProvider implements VmmProvider {

    public static final String NAME = "qemu";

    /** Everything, narrowed by the run: QemuTarget#capabilities drops what the accelerator or options leave out. */
    public static final VmmProfile PROFILE = new VmmProfile(EnumSet.allOf(Capability.class),
            List.of(Device.VMCLOCK, Device.VIRTIO_RTC), Map.of(),
            Map.of(Capability.HYPERVISOR_WRITER, "only with the qtest socket, i.e. under TCG, not KVM",
                    Capability.CROSS_VERSION_HOP, "only with --hop-to"),
            "VMClock from QEMU 10.0; virtio-rtc, and the device bus for it (qtest), from 11.1");

    @Override
    public String name() {
        return NAME;
    }

    @Override
    public String description() {
        return "QEMU (--qemu PATH, --container IMAGE): VMClock and virtio-rtc, every lifecycle event, qtest";
    }

    @Override
    public VmmProfile profile() {
        return PROFILE;
    }

    @Override
    public ResolvedTarget resolve(TargetOptions options) {
        return TargetConfig.resolve(options);
    }

    /** The QEMU the options name, its version and time devices, the accelerator and why; FAILS without vmclock. */
    @Override
    public void doctor(TargetOptions options, Consumer<String> line) {
        // Resolved as a run resolves it, but boots nothing, builds no image and asks for no device, so that what
        // QEMU lacks is printed before it is refused.
        TargetConfig t = TargetConfig.resolve(options.withoutDevices(), TargetConfig.GuestNeed.NONE);
        line.accept("qemu:        " + t.qemu().path());
        if (t.qemu().host() instanceof QemuContainer) {
            line.accept("container:   " + t.qemu().host().describe());
        }
        line.accept("version:     " + t.qemu().version());
        line.accept("vmclock:     " + (t.qemu().hasDevice(QemuDevices.name(Device.VMCLOCK)) ? "present"
                : "ABSENT (QEMU >= 10.0 needed)"));
        line.accept("virtio-rtc:  " + (t.qemu().hasDevice(QemuDevices.name(Device.VIRTIO_RTC)) ? "present" : "absent"));
        line.accept("accelerator: " + t.accelerator());
        if (options.vhostUserRtc().isPresent()) {
            line.accept("rtc backend: " + options.vhostUserRtc().get());
            line.accept("front end:   " + (t.qemu().hasDevice(RtcBackend.FRONT_END) ? RtcBackend.FRONT_END + " present"
                    : RtcBackend.FRONT_END + " ABSENT (QEMU >= 11.1 needed)"));
            RtcBackend.CommandLine c = RtcBackend.CommandLine.parse(options.vhostUserRtc().get());
            line.accept("version:     " + RtcBackend.version(c));
            line.accept("features:    0x" + Long.toHexString(RtcBackend.probe(c)) + " (VHOST_USER_GET_FEATURES)");
        }
        t.qemu().requireVmclock();
    }
}
