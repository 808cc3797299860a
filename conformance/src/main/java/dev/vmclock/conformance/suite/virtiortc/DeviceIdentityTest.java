package dev.vmclock.conformance.suite.virtiortc;

import static org.assertj.core.api.Assertions.assertThat;

import dev.vmclock.conformance.Clause;
import dev.vmclock.conformance.VirtioRtcConformance;
import dev.vmclock.conformance.view.VirtioRtcView;
import dev.vmclock.harness.virtio.DeviceStatus;
import dev.vmclock.harness.virtio.VirtioPciDevice;
import dev.vmclock.harness.virtio.rtc.RtcRequest;
import dev.vmclock.harness.virtio.rtc.VirtioRtcDriver;
import org.junit.jupiter.api.Test;

/** virtio-rtc §Device ID, §Virtqueues, §Feature bits, and the generic virtio rules the suite's driver relies on. */
@VirtioRtcConformance
class DeviceIdentityTest {

    @Test
    @Clause("VRTC-ID-01")
    void pciDeviceIdIsTheModernIdOfDevice17(VirtioRtcView rtc) {
        int id = rtc.driver().device().pci().deviceId();
        rtc.evidence().note(String.format("PCI %04x:%04x", rtc.driver().device().pci().vendorId(), id));
        assertThat(id).as("PCI device id (0x1040 + virtio device id 17)").isEqualTo(VirtioPciDevice.MODERN_ID_BASE + 17);
    }

    @Test
    @Clause("VRTC-VIRTIO-01")
    void offersVersion1(VirtioRtcView rtc) {
        assertThat(rtc.offeredFeatures() & (1L << VirtioRtcDriver.F_VERSION_1)).as("VIRTIO_F_VERSION_1 (bit 32) offered, "
                + "features 0x%x", rtc.offeredFeatures()).isNotZero();
    }

    @Test
    @Clause("VRTC-VIRTIO-02")
    void acceptsEveryValidSubsetOfItsFeatures(VirtioRtcView rtc) {
        // Each negotiation throws if FEATURES_OK is cleared; the status read back is what the device kept.
        assertThat(rtc.renegotiate(false, 0).statusAfterFeaturesOk() & DeviceStatus.FEATURES_OK).as("VERSION_1 alone")
                .isNotZero();
        assertThat(rtc.renegotiate(true, 0).statusAfterFeaturesOk() & DeviceStatus.FEATURES_OK)
                .as("every offered device feature").isNotZero();
    }

    @Test
    @Clause("VRTC-VIRTIO-03")
    void resetReadsBackZero(VirtioRtcView rtc) {
        VirtioPciDevice d = rtc.driver().device();
        d.status(0);
        long deadline = System.nanoTime() + 1_000_000_000L;
        int status;
        while ((status = d.status()) != 0 && System.nanoTime() < deadline) {
            Thread.onSpinWait();
        }
        assertThat(status).as("device status after writing 0: %s", DeviceStatus.describe(status)).isZero();
        // The check runs on a device the driver just set up: a reset that only clears device_status left queue 0 on.
        assertThat(d.queueEnable(VirtioRtcDriver.REQUESTQ)).as("queue 0's queue_enable after the reset").isZero();
    }

    @Test
    @Clause("VRTC-VQ-01")
    void requestqIsQueueZero(VirtioRtcView rtc) {
        assertThat(rtc.negotiation().requestQueueSize()).as("queue 0 size").isPositive();
        assertThat(rtc.request(new RtcRequest.Cfg()).ok()).as("VIRTIO_RTC_REQ_CFG on queue 0 answered OK").isTrue();
    }

    @Test
    @Clause("VRTC-VQ-02")
    void alarmqExistsWhenAlarmIsNegotiated(VirtioRtcView rtc) {
        rtc.requireAlarm();
        assertThat(rtc.negotiation().numQueues()).as("num_queues").isGreaterThanOrEqualTo(2);
        assertThat(rtc.negotiation().alarmQueueSize()).as("queue 1 (alarmq) size").isPositive();
    }
}
