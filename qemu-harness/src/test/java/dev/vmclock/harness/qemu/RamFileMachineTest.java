package dev.vmclock.harness.qemu;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.vmclock.harness.Qemu;
import dev.vmclock.harness.acpi.AcpiTables;
import dev.vmclock.harness.events.MigrationTransport;
import dev.vmclock.harness.memory.NotInRamException;
import dev.vmclock.harness.memory.PhysicalMemory;
import dev.vmclock.harness.page.PageLocation;
import dev.vmclock.harness.page.PageLocator;
import dev.vmclock.harness.page.VmclockPage;
import dev.vmclock.images.GuestImageBuilder;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;

/**
 * A real guest (built image, TCG, q35, 256 MiB) whose RAM is a shared file: the file view reads what pmemsave reads,
 * at boot and after each event that rewrites or moves the RAM, through one view taken at boot (it must follow the
 * machine to each new QEMU). QEMU's VMClock page is device memory, so the file view refuses it.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class RamFileMachineTest {

    private static final int CHUNK = 16 << 20;

    private static QemuGuest guest;
    private static PhysicalMemory fileView;

    @BeforeAll
    static void boot() {
        guest = QemuGuest.boot(Qemu.binary(), MachineSpec.builder().ramFile(true).build(),
                new GuestImageBuilder().ensureBuilt());
        fileView = guest.machine().ramFileMemory();
    }

    @AfterAll
    static void stop() {
        if (guest != null) {
            guest.close();
        }
    }

    @Test
    @Order(1)
    void theAcpiTablesReadThroughTheFileAreThoseReadByPmemsave() {
        AcpiTables viaFile = AcpiTables.read(fileView).orElseThrow();
        AcpiTables viaPmemsave = AcpiTables.read(guest.machine().hostMemory()).orElseThrow();
        assertThat(viaFile.tables()).extracting(AcpiTables.Table::signature).contains("FACP", "DSDT", "SSDT");
        assertThat(viaFile.tables()).hasSameSizeAs(viaPmemsave.tables());
        for (int i = 0; i < viaFile.tables().size(); i++) {
            AcpiTables.Table f = viaFile.tables().get(i);
            AcpiTables.Table p = viaPmemsave.tables().get(i);
            assertThat(f.address()).isEqualTo(p.address());
            assertThat(f.bytes()).as(f.signature()).isEqualTo(p.bytes());
        }
        PageLocation fromFile = PageLocator.fromAcpi(fileView, Duration.ofSeconds(1)).orElseThrow();
        assertThat(fromFile).isEqualTo(guest.machine().pageLocation());
        assertThat(fromFile.source()).isEqualTo(PageLocation.Source.ACPI_CRS);
    }

    @Test
    @Order(2)
    void theVmclockPageIsDeviceMemoryAndNotInTheFile() {
        PageLocation page = guest.machine().pageLocation();
        assertThat(VmclockPage.decode(guest.machine().hostMemory().read(page.address(), (int) page.length()))
                .magicIsValid()).isTrue();
        assertThatThrownBy(() -> fileView.read(page.address(), (int) page.length()))
                .isInstanceOf(NotInRamException.class)
                .hasMessageContaining(String.format("0x%x+0x%x", page.address(), page.length()));
    }

    @Test
    @Order(3)
    void allRamEqualsPmemsaveAtBoot() {
        assertAllRamEqual();
    }

    @Test
    @Order(4)
    void allRamEqualsPmemsaveAfterLoadvm() {
        Path before = guest.machine().ramFile().orElseThrow();
        guest.machine().saveSnapshot("r1");
        guest.clocks(); // the guest writes its RAM before the load rewrites it
        guest.machine().loadSnapshot("r1");
        assertThat(guest.machine().ramFile()).contains(before); // loadvm stays in the same QEMU
        assertAllRamEqual();
    }

    @Test
    @Order(5)
    void allRamEqualsPmemsaveAfterLiveMigration() {
        Path before = guest.machine().ramFile().orElseThrow();
        guest.machine().liveMigrate(MigrationTransport.UNIX);
        assertMovedFrom(before);
        assertAllRamEqual();
    }

    @Test
    @Order(6)
    void allRamEqualsPmemsaveAfterRestoreFromFile() {
        Path before = guest.machine().ramFile().orElseThrow();
        Path state = guest.machine().newStateFile();
        guest.machine().saveToFile(state);
        guest.machine().restoreFromFile(state);
        assertMovedFrom(before);
        assertAllRamEqual();
    }

    private static void assertMovedFrom(Path before) {
        Path now = guest.machine().ramFile().orElseThrow();
        assertThat(now).isNotEqualTo(before).startsWith(guest.machine().vm().runDirectory().path());
    }

    /**
     * Paused, so neither view races the guest. The guest runs first (an agent round trip), so a view still reading
     * a previous QEMU's file, frozen at the switch-over, would differ.
     */
    private static void assertAllRamEqual() {
        guest.clocks();
        Machine m = guest.machine();
        m.pause();
        try {
            long ram = (long) m.spec().memoryMib() << 20;
            for (long at = 0; at < ram; at += CHUNK) {
                byte[] viaFile = fileView.read(at, CHUNK);
                byte[] viaPmemsave = m.hostMemory().read(at, CHUNK);
                int first = Arrays.mismatch(viaFile, viaPmemsave);
                assertThat(first).as("first differing byte at guest-physical 0x%x", at + first).isEqualTo(-1);
            }
        } finally {
            m.resume();
        }
    }
}
