package dev.vmclock.harness.guest;

import dev.vmclock.harness.qemu.QemuGuest;

import static org.assertj.core.api.Assertions.assertThatCode;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.vmclock.harness.Qemu;
import dev.vmclock.harness.qemu.Machine;
import dev.vmclock.harness.qemu.KernelBoot;
import dev.vmclock.harness.qemu.MachineSpec;
import dev.vmclock.images.GuestImage;
import dev.vmclock.images.GuestImageBuilder;
import org.junit.jupiter.api.Test;

/**
 * A guest whose clock runs at the wrong rate is refused at boot: the check is seen failing on a kernel told a TSC
 * frequency a tenth of the real one (Linux then drops its own refinement, which differs by more than 1 %, and
 * CLOCK_MONOTONIC runs ten times too fast, as it did after a bad calibration under load), and passing on a stock boot.
 */
class GuestClockRateTest {

    private static void withGuest(String extraKernelArgs, java.util.function.Consumer<GuestSession> check) {
        GuestImage image = new GuestImageBuilder().ensureBuilt();
        MachineSpec spec = MachineSpec.builder().cpus(2).agentPort(true).kernelBoot(new KernelBoot(image.kernel(),
                image.initramfs(), GuestSession.KERNEL_CMDLINE + extraKernelArgs)).build();
        try (Machine machine = Machine.start(Qemu.binary(), spec);
             QemuGuest guest = QemuGuest.attach(machine, GuestSession.BOOT_TIMEOUT)) {
            check.accept(guest.session());
        }
    }

    @Test
    void aGuestClockTenTimesTooFastIsAHarnessFailure() {
        withGuest(" tsc_early_khz=" + QemuGuest.hostTscKhz() / 10, guest ->
                assertThatThrownBy(guest::requireClockRate).isInstanceOf(GuestSession.MiscalibratedClockException.class)
                        .hasMessageContaining("mis-calibrated the TSC"));
    }

    @Test
    void aStockGuestClockRunsAtTheHostsRate() {
        withGuest("", guest -> assertThatCode(guest::requireClockRate).doesNotThrowAnyException());
    }
}
