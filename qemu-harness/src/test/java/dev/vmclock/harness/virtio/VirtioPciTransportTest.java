package dev.vmclock.harness.virtio;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.vmclock.harness.Qemu;
import dev.vmclock.harness.memory.QtestMemory;
import dev.vmclock.harness.qemu.MachineSpec;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The generic virtio-pci transport against a real QEMU: virtio-rng-pci fills a device-writable buffer, which
 * exercises enumeration, BAR assignment, the capabilities, negotiation and the split ring as virtio-rtc does.
 */
class VirtioPciTransportTest {

    private static final int VIRTIO_ID_RNG = 4;
    private static QtestMachine machine;
    private static QtestMemory bus;

    @BeforeAll
    static void start() throws Exception {
        // virtio-rng hands out entropy only while the VM runs (virtio-rtc answers regardless), so this machine
        // runs, on a 64 KiB "firmware" of HLT instructions: nothing touches PCI but this driver.
        Path bios = Files.createTempFile("hlt-bios", ".bin");
        byte[] hlt = new byte[65536];
        Arrays.fill(hlt, (byte) 0xf4);
        Files.write(bios, hlt);
        machine = QtestMachine.start(Qemu.binary(), MachineSpec.deviceOnly().startPaused(false)
                .extraArg("-bios", bios.toString(), "-device", "virtio-rng-pci").build());
        bus = machine.bus();
        Files.delete(bios);
    }

    @AfterAll
    static void stop() {
        if (machine != null) {
            machine.close();
        }
    }

    private static VirtioPciDevice initialized() {
        VirtioPciDevice d = VirtioPciDevice.find(bus, VIRTIO_ID_RNG, 0xe0000000L).orElseThrow();
        d.reset(Duration.ofSeconds(1));
        d.status(DeviceStatus.ACKNOWLEDGE | DeviceStatus.DRIVER);
        assertThat(d.deviceFeatures() & (1L << 32)).as("VIRTIO_F_VERSION_1 offered").isNotZero();
        d.driverFeatures(1L << 32);
        d.status(DeviceStatus.ACKNOWLEDGE | DeviceStatus.DRIVER | DeviceStatus.FEATURES_OK);
        assertThat(d.status() & DeviceStatus.FEATURES_OK).isNotZero();
        return d;
    }

    @Test
    void findsTheFunctionAndItsCapabilities() {
        VirtioPciDevice d = VirtioPciDevice.find(bus, VIRTIO_ID_RNG, 0xe0000000L).orElseThrow();
        // Transitional on a conventional bus: legacy id 0x1005, subsystem id 4.
        assertThat(d.pci().deviceId()).isIn(0x1005, 0x1044);
        assertThat(d.caps()).extracting(VirtioPciCap::cfgType)
                .contains(VirtioPciCap.COMMON_CFG, VirtioPciCap.NOTIFY_CFG, VirtioPciCap.ISR_CFG);
        assertThat(d.cap(VirtioPciCap.NOTIFY_CFG).orElseThrow().notifyOffMultiplier()).isPositive();
        assertThat(VirtioPciDevice.find(bus, 17, 0xe0000000L)).as("no virtio-rtc on this machine").isEmpty();
    }

    @Test
    void deviceFillsAWritableBufferAndReportsTheLength() {
        VirtioPciDevice d = initialized();
        SplitQueue q = d.setUpQueue(0, Math.min(d.queueSize(0), 16), 0x100000);
        d.status(DeviceStatus.ACKNOWLEDGE | DeviceStatus.DRIVER | DeviceStatus.FEATURES_OK | DeviceStatus.DRIVER_OK);
        byte[] zeros = new byte[64];
        bus.write(0x200000, zeros);
        // Two descriptors: the device writes across the chain boundary.
        int head = q.add(List.of(new Descriptor(0x200000, 24, true), new Descriptor(0x200020, 40, true)));
        q.publish(List.of(head));
        q.kick();
        List<UsedElement> used = q.awaitUsed(1, Duration.ofSeconds(5));
        assertThat(used).hasSize(1);
        assertThat(used.get(0).head()).isEqualTo(head);
        assertThat(used.get(0).length()).isBetween(1L, 64L);
        byte[] first = bus.read(0x200000, 24);
        assertThat(Arrays.equals(first, new byte[24])).as("random bytes arrived").isFalse();
        assertThat(q.freeDescriptors()).isEqualTo(q.size());
    }

    @Test
    void anUnusedBufferEndsInATimeoutThatSaysWhatWasSeen() {
        VirtioPciDevice d = initialized();
        SplitQueue q = d.setUpQueue(0, 8, 0x100000);
        d.status(DeviceStatus.ACKNOWLEDGE | DeviceStatus.DRIVER | DeviceStatus.FEATURES_OK | DeviceStatus.DRIVER_OK);
        q.add(List.of(new Descriptor(0x200000, 16, true)));
        // Published but never kicked and never made visible: the device cannot use it.
        assertThatThrownBy(() -> q.awaitUsed(1, Duration.ofMillis(200))).isInstanceOf(NoUsedBufferException.class)
                .hasMessageContaining("0 of 1 buffers used").hasMessageContaining("device status 0x0f");
    }
}
