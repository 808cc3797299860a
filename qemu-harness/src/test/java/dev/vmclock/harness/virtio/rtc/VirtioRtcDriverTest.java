package dev.vmclock.harness.virtio.rtc;

import static org.assertj.core.api.Assertions.assertThat;

import dev.vmclock.harness.Device;
import dev.vmclock.harness.qemu.MachineSpec;
import dev.vmclock.harness.qemu.QemuBinary;
import dev.vmclock.harness.qemu.QemuDevices;
import dev.vmclock.harness.virtio.QtestMachine;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The driver against a real virtio-rtc-pci (QEMU >= 11.1): the image named by {@code -Dvmclock.rtcImage}
 * (a local Docker image), else the host QEMU if it has the device.
 */
class VirtioRtcDriverTest {

    private static QtestMachine machine;
    private static VirtioRtcDriver driver;

    @BeforeAll
    static void start() {
        QemuBinary qemu = QtestMachine.qemuWithVirtioRtc();
        Assumptions.assumeTrue(qemu.hasDevice(QemuDevices.name(Device.VIRTIO_RTC)),
                qemu + " has no virtio-rtc-pci: pass -Dvmclock.rtcImage=<QEMU 11.1 image>");
        machine = QtestMachine.start(qemu, MachineSpec.deviceOnly(Device.VIRTIO_RTC).build());
        driver = VirtioRtcDriver.attach(machine.bus()).orElseThrow();
        driver.initialize(true, 4);
    }

    @AfterAll
    static void stop() {
        if (machine != null) {
            machine.close();
        }
    }

    @Test
    void negotiatesVersion1AndReadsTheClocks() {
        assertThat(driver.negotiation().orElseThrow().accepted(VirtioRtcDriver.F_VERSION_1)).isTrue();
        RtcResponse cfg = driver.request(new RtcRequest.Cfg());
        assertThat(cfg.ok()).isTrue();
        assertThat(cfg.numClocks()).isPositive();
        RtcResponse cap = driver.request(new RtcRequest.ClockCap(0));
        assertThat(cap.ok()).isTrue();
        long before = System.currentTimeMillis() * 1_000_000L;
        RtcResponse read = driver.request(new RtcRequest.Read(0));
        assertThat(read.ok()).isTrue();
        assertThat(read.clockReading()).as("a UTC reading near the host's").isBetween(before - 5_000_000_000L,
                before + 5_000_000_000L);
    }

    @Test
    void severalRequestsInFlightAndChainsSplitAtOddPlaces() {
        List<Exchange> ex = driver.exchangeAll(List.of(RawRequest.of(new RtcRequest.Read(0)),
                RawRequest.of(new RtcRequest.Read(0)).splitRequestAt(1, 9).splitResponseAt(3),
                RawRequest.of(new RtcRequest.Cfg())));
        assertThat(ex).allSatisfy(e -> assertThat(e.wasUsed()).as(e.describe()).isTrue());
        assertThat(ex.get(1).response().ok()).as(ex.get(1).describe()).isTrue();
        assertThat(ex.get(1).descriptors()).hasSize(5);
        assertThat(ex).allSatisfy(e -> assertThat(e.readableBuffersUntouched()).isTrue());
        assertThat(ex.get(0).describe()).contains("used: id").contains("R desc").contains("W desc");
    }
}
