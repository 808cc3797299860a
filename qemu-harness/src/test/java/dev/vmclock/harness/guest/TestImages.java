package dev.vmclock.harness.guest;

import dev.vmclock.harness.qemu.DebianQemuImage;
import dev.vmclock.harness.qemu.DebianSuite;
import dev.vmclock.harness.qemu.QemuBinary;
import dev.vmclock.harness.qemu.QemuContainer;
import dev.vmclock.images.GuestImage;
import dev.vmclock.images.GuestImageBuilder;
import dev.vmclock.images.VirtioRtcModule;
import java.util.List;

/**
 * What the virtio-rtc guest tests run on: QEMU 11.1 from trixie-backports in its container image, and the
 * guest image with virtio_rtc.ko, both from the shipped recipes (built on first use on this Docker host; the
 * kernel-module build image for the guest kernel's ABI comes with the guest image's build).
 */
final class TestImages {
    private TestImages() {
    }

    /** QEMU 11.1 in its container. */
    static QemuBinary qemu111() {
        String tag = DebianQemuImage.shipped().ensureBuilt(DebianSuite.TRIXIE_BACKPORTS);
        return QemuBinary.locate(QemuContainer.shared(tag, List.of()), null);
    }

    /** The guest image with {@code module}. */
    static GuestImage withVirtioRtc(VirtioRtcModule module) {
        return new GuestImageBuilder().withVirtioRtc(module).ensureBuilt();
    }
}
