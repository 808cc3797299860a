package dev.vmclock.harness.guest;

import dev.vmclock.harness.qemu.QemuGuest;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.vmclock.harness.ExitCode;
import dev.vmclock.harness.HarnessException;
import dev.vmclock.harness.Device;
import dev.vmclock.harness.virtio.rtc.ClockType;
import dev.vmclock.harness.qemu.MachineSpec;
import dev.vmclock.images.GuestImage;
import dev.vmclock.images.GuestImageBuilder;
import dev.vmclock.images.VirtioRtcModule;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * The guest side of virtio-rtc on QEMU 11.1 (in its container) with the image's out-of-tree virtio_rtc.ko:
 * the driver binds, registers the device's UTC clock with PTP, and the agent reads it every way; the broken
 * build's clock visibly steps back; a guest without the driver is a one-line boot error.
 */
class VirtioRtcGuestTest {

    private static final MachineSpec BOTH = MachineSpec.builder().cpus(2).devices(Device.VMCLOCK, Device.VIRTIO_RTC).build();
    /** virtio_rtc's PHC readings are whole microseconds (the device's nanoseconds, truncated by the driver). */
    private static final long PHC_RESOLUTION_NS = 1_000;

    @Test
    void stockDriverRegistersTheUtcClockWhichReadsHostTime() {
        GuestImage image = TestImages.withVirtioRtc(VirtioRtcModule.STOCK);
        assertThat(image.virtioRtcModule()).contains(VirtioRtcModule.STOCK);
        try (QemuGuest g = QemuGuest.boot(TestImages.qemu111(), BOTH, image)) {
            AgentVersion v = g.version();
            assertThat(v.virtioRtc().bound()).as("virtio-rtc devices bound").isEqualTo(1);
            assertThat(v.driverLoaded()).isTrue();

            List<PtpClock> clocks = g.ptpClockList();
            assertThat(clocks).filteredOn(PtpClock::isVirtio).singleElement().satisfies(c -> {
                assertThat(c.name()).isEqualTo("Virtio PTP type 0/variant 0");
                assertThat(c.virtioClockType()).contains(ClockType.UTC);
                assertThat(c.driver()).isEqualTo("virtio_rtc");
            });

            long before = nowNanos();
            PtpReading r = g.ptpRead(ClockType.UTC);
            long after = nowNanos();
            assertThat(r.present()).isTrue();
            assertThat(r.clock().virtioClockType()).contains(ClockType.UTC);
            for (PtpReading.Method m : List.of(r.gettime(), r.sysOffset(), r.extended())) {
                assertThat(m.errno()).as("%s errno", m.name()).isEmpty();
                // QEMU reads the host's realtime clock while the agent call is in flight: inside the host's bracket.
                assertThat(m.ptpNanos()).as("%s reading vs host [%d, %d]", m.name(), before, after)
                        .isBetween(before - PHC_RESOLUTION_NS, after);
                assertThat(m.ptpNanos() % PHC_RESOLUTION_NS).as("whole microseconds").isZero();
            }
            assertThat(r.precise().errno()).as("no cross-timestamping on QEMU 11.1").contains("EOPNOTSUPP");

            PtpSeries s = g.ptpSeries(r.clock(), 500).orElseThrow();
            assertThat(s.reads()).isEqualTo(500);
            assertThat(s.backwards()).as("steps back in %s", s).isZero();

            // The driver makes an RTC class device only for a UTC_SMEARED clock; QEMU offers plain UTC.
            assertThat(g.rtcDevices()).noneMatch(d -> "virtio_rtc".equals(d.driver()))
                    .allSatisfy(d -> assertThat(d.reading().errno()).as("%s", d).isEmpty());
        }
    }

    @Test
    void brokenDriverSteps250MsBackEverySecondReading() {
        GuestImage image = TestImages.withVirtioRtc(VirtioRtcModule.BROKEN_STEPS_BACK);
        try (QemuGuest g = QemuGuest.boot(TestImages.qemu111(), BOTH, image)) {
            PtpClock utc = g.ptpClockList().stream().filter(PtpClock::isVirtio).findFirst().orElseThrow();
            PtpSeries s = g.ptpSeries(utc, 100).orElseThrow();
            assertThat(s.backwards()).as("steps back in %s", s).isBetween(45L, 50L);
            assertThat(s.maxBackwardsNanos()).isBetween(240_000_000L, 250_000_000L);
        }
    }

    @Test
    void aGuestWithoutTheDriverIsAOneLineBootError() {
        GuestImage noModule = new GuestImageBuilder().ensureBuilt();
        assertThatThrownBy(() -> QemuGuest.boot(TestImages.qemu111(), BOTH, noModule))
                .isInstanceOfSatisfying(HarnessException.class, e -> {
                    assertThat(e.exitCode()).isEqualTo(ExitCode.GUEST_IMAGE);
                    assertThat(e.getMessage()).contains("cannot use virtio-rtc: the guest has no virtio_rtc driver")
                            .contains("CONFIG_VIRTIO_RTC").doesNotContain("\n");
                });
        // Without the device nothing is required of the driver.
        try (QemuGuest g = QemuGuest.boot(TestImages.qemu111(), MachineSpec.builder().build(), noModule)) {
            assertThat(g.version().virtioRtc().devices()).isZero();
        }
    }

    private static long nowNanos() {
        Instant i = Instant.now();
        return i.getEpochSecond() * 1_000_000_000L + i.getNano();
    }
}
