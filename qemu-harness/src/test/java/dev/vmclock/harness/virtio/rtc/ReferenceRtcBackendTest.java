package dev.vmclock.harness.virtio.rtc;

import static org.assertj.core.api.Assertions.assertThat;

import dev.vmclock.harness.Device;
import dev.vmclock.harness.qemu.Accelerator;
import dev.vmclock.harness.qemu.MachineSpec;
import dev.vmclock.harness.qemu.QemuBinary;
import dev.vmclock.harness.qemu.RtcBackend;
import dev.vmclock.harness.virtio.QtestMachine;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The project's reference virtio-rtc device ({@code conformance/reference-rtc/vmclock-reference-rtc}, a vhost-user
 * back end) behind QEMU 11.1's {@code vhost-user-rtc-pci}, driven by the host-side driver over qtest: four clocks
 * reading the host's time, and an alarm that arrives on the alarmq.
 */
class ReferenceRtcBackendTest {

    private static final Path BACKEND = Path.of(System.getProperty("vmclock.referenceRtc",
            "../conformance/reference-rtc/vmclock-reference-rtc")).toAbsolutePath().normalize();
    private static QtestMachine machine;
    private static VirtioRtcDriver driver;

    @BeforeAll
    static void start() {
        Assumptions.assumeTrue(Files.isExecutable(BACKEND), BACKEND + " is not there");
        QemuBinary qemu = QtestMachine.qemuWithVirtioRtc();
        Assumptions.assumeTrue(qemu.hasDevice(RtcBackend.FRONT_END), qemu + " has no " + RtcBackend.FRONT_END);
        // Running (vhost-user rings start only on a running VM), with no guest code (Accelerator.QTEST).
        machine = QtestMachine.start(qemu, MachineSpec.deviceOnly(Device.VIRTIO_RTC).accelerator(Accelerator.QTEST)
                .startPaused(false).rtcBackend(RtcBackend.CommandLine.parse(BACKEND + " --log -")).build());
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
    void offersFourClocksAndTheAlarm() {
        assertThat(driver.negotiation().orElseThrow().accepted(VirtioRtcDriver.F_ALARM)).isTrue();
        assertThat(driver.request(new RtcRequest.Cfg()).numClocks()).isEqualTo(4);
        int[] types = new int[4];
        int[] flags = new int[4];
        for (int id = 0; id < 4; id++) {
            RtcResponse cap = driver.request(new RtcRequest.ClockCap(id));
            assertThat(cap.ok()).as("CLOCK_CAP %d: %s", id, cap).isTrue();
            types[id] = cap.clockType();
            flags[id] = cap.flags();
        }
        assertThat(types).containsExactly(0, 1, 2, 3); // UTC, TAI, MONOTONIC, UTC_SMEARED
        assertThat(flags).containsExactly(0, 0, 0, 1); // ALARM_CAP on the smeared clock only
        assertThat(driver.request(new RtcRequest.ClockCap(3)).leapSecondSmearing()).isEqualTo(1); // NOON_LINEAR
    }

    @Test
    void readingsAgreeWithTheHost() {
        long before = System.currentTimeMillis() * 1_000_000L;
        long utc = driver.request(new RtcRequest.Read(0)).clockReading();
        long tai = driver.request(new RtcRequest.Read(1)).clockReading();
        long smeared = driver.request(new RtcRequest.Read(3)).clockReading();
        long after = System.currentTimeMillis() * 1_000_000L + 1_000_000L;
        assertThat(utc).isBetween(before, after);
        assertThat(tai - 37_000_000_000L).isBetween(before, after);
        assertThat(smeared).isBetween(before, after);
        long mono1 = driver.request(new RtcRequest.Read(2)).clockReading();
        long mono2 = driver.request(new RtcRequest.Read(2)).clockReading();
        assertThat(mono2).isGreaterThanOrEqualTo(mono1);
    }

    @Test
    void anAlarmArrivesOnTheAlarmq() {
        long now = driver.request(new RtcRequest.Read(3)).clockReading();
        long alarm = now + 300_000_000L;
        assertThat(driver.request(new RtcRequest.SetAlarm(alarm, 3, RtcRequest.FLAG_ALARM_ENABLED)).ok()).isTrue();
        List<RtcResponse> n = driver.alarmNotifications(Duration.ofSeconds(3), 1);
        assertThat(n).hasSize(1);
        assertThat(n.get(0).notificationMsgType()).isEqualTo(MsgType.NOTIF_ALARM.code());
        assertThat(n.get(0).notificationClockId()).isEqualTo(3);
        assertThat(driver.request(new RtcRequest.Read(3)).clockReading()).isGreaterThanOrEqualTo(alarm);
        driver.postAlarmBuffers(1);
    }

    /**
     * vhost-user has no reset message: QEMU stops the rings on a pause and on a reset alike. A pause (stop, cont) is no
     * expiration of a retained alarm whose time has passed; a device reset is one (spec: MUST, when retained).
     */
    @Test
    void aPauseIsNoResetButAResetIsAnExpiration() {
        long now = driver.request(new RtcRequest.Read(3)).clockReading();
        assertThat(driver.request(new RtcRequest.SetAlarm(now - 1_000_000_000L, 3, RtcRequest.FLAG_ALARM_ENABLED)).ok())
                .isTrue();
        assertThat(driver.alarmNotifications(Duration.ofSeconds(2), 1)).as("set enabled in the past").hasSize(1);
        machine.vm().qmp().execute("stop");
        machine.vm().qmp().execute("cont");
        assertThat(driver.request(new RtcRequest.ReadAlarm(3)).flags()).as("still enabled after the pause").isEqualTo(1);
        assertThat(driver.alarmNotifications(Duration.ofMillis(500), 0)).as("after stop and cont").isEmpty();
        driver.initialize(true, 4);
        assertThat(driver.alarmNotifications(Duration.ofSeconds(2), 1)).as("after a reset").hasSize(1);
        assertThat(driver.request(new RtcRequest.SetAlarm(0, 3, 0)).ok()).isTrue();
    }
}
