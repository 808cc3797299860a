package dev.vmclock.harness.guest;

import dev.vmclock.harness.qemu.QemuGuest;

import static org.assertj.core.api.Assertions.assertThat;

import dev.vmclock.harness.Qemu;
import dev.vmclock.harness.events.MigrationTransport;
import dev.vmclock.harness.page.PageField;
import dev.vmclock.harness.page.VmclockPage;
import dev.vmclock.harness.qemu.MachineSpec;
import dev.vmclock.images.GuestImageBuilder;
import java.nio.file.Path;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;

/**
 * One real guest (built image, TCG) booted once: the guest's view through ptp_vmclock matches the host's,
 * and the guest follows its machine through loadvm, live migration and restore from file without reboot.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class GuestSessionTest {

    private static QemuGuest guest;

    @BeforeAll
    static void boot() {
        guest = QemuGuest.boot(Qemu.binary(), MachineSpec.builder().cpus(2).build(),
                new GuestImageBuilder().ensureBuilt());
    }

    @AfterAll
    static void stop() {
        if (guest != null) {
            guest.close();
        }
    }

    @Test
    @Order(1)
    void hostReadAndMmapViewsAgreeOnEveryField() {
        VmclockPage host = guest.machine().readPage().page();
        GuestPageRead read = guest.read();
        GuestPageRead mapped = guest.mmap();
        assertThat(read.page().changedFields(host)).isEmpty();
        assertThat(mapped.page().changedFields(host)).isEmpty();
        assertThat(read.page().raw()).hasSize((int) host.size());
        assertThat(mapped.writableMappingRefused()).isTrue();
    }

    @Test
    @Order(2)
    void guestSeesTheAcpiIdentityAndAReservedRange() {
        GuestAcpi acpi = guest.acpi();
        assertThat(acpi.present()).isTrue();
        assertThat(acpi.hid()).isEqualTo("AMZNC10C");
        assertThat(acpi.modalias()).isEqualTo("acpi:AMZNC10C:VMCLOCK:");
        assertThat(acpi.driver()).isEqualTo("vmclock"); // ptp_vmclock registers its platform driver as "vmclock"
        assertThat(acpi.iomem().start()).isEqualTo(guest.machine().pageLocation().address());
        assertThat(acpi.e820()).isNotEmpty().allSatisfy(e -> assertThat(e.type()).isEqualTo("Reserved"));
    }

    @Test
    @Order(3)
    void clocksAndVersionAnswer() {
        GuestClocks clocks = guest.clocks();
        assertThat(clocks.tsc()).hasSize(2);
        assertThat(clocks.monotonicNanos()).isPositive();
        assertThat(guest.version().kernel()).isNotEmpty();
        assertThat(guest.ptpClocks()).isEmpty(); // counter_id INVALID: no PTP clock
        assertThat(guest.poll(java.time.Duration.ofMillis(100)).hungUp()).isTrue(); // no notification flag
        assertThat(guest.ptpRead().present()).isFalse(); // and so nothing to read
        AcpiEventCounts acpi = guest.acpiEvents();
        assertThat(acpi.present()).isTrue();
        assertThat(acpi.counts()).containsKeys("sci", "sci_not", "gpe_all");
        assertThat(acpi.increaseSince(acpi)).isEmpty();
    }

    @Test
    @Order(3)
    void probeAnswersReadClocksAndCountersInOneCall() {
        GuestSession.Probe probe = guest.probe(3);
        assertThat(probe.readFailure()).isNull();
        assertThat(probe.read().page()).isEqualTo(guest.read().page()); // nothing changes the page here
        assertThat(probe.clocks()).hasSize(3).allSatisfy(c -> assertThat(c.tsc()).hasSize(2));
        assertThat(probe.clocks().get(2).monotonicNanos()).isGreaterThanOrEqualTo(probe.clocks().get(0).monotonicNanos());
        assertThat(probe.acpiEvents().counts()).containsKeys("sci", "sci_not", "gpe_all");
    }

    @Test
    @Order(4)
    void guestSeesNewMarkerAfterLoadvm() {
        guest.machine().saveSnapshot("g1");
        long before = guest.read().page().disruptionMarker();
        guest.machine().loadSnapshot("g1");
        assertMarkerMovedFrom(before);
    }

    @Test
    @Order(5)
    void guestSeesNewMarkerAfterLiveMigration() {
        long before = guest.read().page().disruptionMarker();
        long bootedAt = guest.clocks().boottimeNanos();
        guest.machine().liveMigrate(MigrationTransport.UNIX);
        assertMarkerMovedFrom(before);
        assertThat(guest.clocks().boottimeNanos()).as("same boot, not a reboot").isGreaterThan(bootedAt);
    }

    @Test
    @Order(6)
    void guestSeesNewMarkerAfterRestoreFromFile() {
        long before = guest.read().page().disruptionMarker();
        Path state = guest.machine().newStateFile();
        guest.machine().saveToFile(state);
        guest.machine().restoreFromFile(state);
        assertMarkerMovedFrom(before);
    }

    private static void assertMarkerMovedFrom(long before) {
        VmclockPage host = guest.machine().readPage().page();
        VmclockPage seen = guest.read().page();
        assertThat(seen.disruptionMarker()).isNotEqualTo(before).isEqualTo(host.disruptionMarker());
        assertThat(guest.mmap().page().changedFields(host)).doesNotContain(PageField.DISRUPTION_MARKER);
    }
}
