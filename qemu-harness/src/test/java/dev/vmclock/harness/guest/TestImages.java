package dev.vmclock.harness.guest;

import static org.assertj.core.api.Assumptions.assumeThat;

import dev.vmclock.harness.qemu.QemuBinary;
import dev.vmclock.harness.qemu.QemuContainer;
import dev.vmclock.images.GuestImage;
import dev.vmclock.images.GuestImageBuilder;
import dev.vmclock.images.VirtioRtcModule;
import java.util.List;

/**
 * The container images virtio-rtc tests need, named by system property or environment (built by
 * guest-images' container recipes): QEMU >= 11.1 with virtio-rtc-pci ({@code vmclock.qemu111.image},
 * {@code VMCLOCK_QEMU111_IMAGE}) and the trixie kernel-module build image ({@code vmclock.kbuildImage},
 * {@code VMCLOCK_KBUILD_IMAGE}). Without them the tests are skipped, naming what is missing.
 */
final class TestImages {
    private TestImages() {
    }

    static String named(String property, String env) {
        String v = System.getProperty(property);
        if (v == null || v.isBlank()) {
            v = System.getenv(env);
        }
        assumeThat(v).as("-D%s or $%s (a Docker image tag)", property, env).isNotBlank();
        return v;
    }

    /** QEMU 11.1 in its container. */
    static QemuBinary qemu111() {
        return QemuBinary.locate(QemuContainer.shared(named("vmclock.qemu111.image", "VMCLOCK_QEMU111_IMAGE"), List.of()), null);
    }

    /** The guest image with {@code module} built in the kbuild container. */
    static GuestImage withVirtioRtc(VirtioRtcModule module) {
        return new GuestImageBuilder().withVirtioRtc(module)
                .kbuildImage(named("vmclock.kbuildImage", GuestImageBuilder.KBUILD_IMAGE_ENV)).ensureBuilt();
    }
}
