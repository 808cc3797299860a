package dev.vmclock.conformance.suite;

import static org.assertj.core.api.Assertions.assertThat;

import dev.vmclock.conformance.Clause;
import dev.vmclock.conformance.NotApplicable;
import dev.vmclock.conformance.VmclockConformance;
import dev.vmclock.conformance.target.Event;
import dev.vmclock.conformance.target.Observation;
import dev.vmclock.conformance.target.VmclockView;
import dev.vmclock.harness.acpi.AcpiDevice;
import dev.vmclock.harness.page.Flag;
import dev.vmclock.harness.page.PageField;
import dev.vmclock.harness.page.VmclockPage;
import java.util.List;
import org.junit.jupiter.api.Test;

/** UAPI.13 §The vmclock_abi structure: the layout and the values that identify a VMClock page. */
@VmclockConformance
class LayoutTest {

    @Test
    @Clause("VMC-LAYOUT-01")
    void magicIsVclk(VmclockView vmclock) {
        assertThat(vmclock.bootPage().magic()).as("magic (0x00)").isEqualTo(VmclockPage.MAGIC);
    }

    @Test
    @Clause("VMC-LAYOUT-01")
    void magicSeenInGuestMatchesHostPage(VmclockView vmclock) {
        assertThat(vmclock.guestRead().page().magic()).as("magic through the guest's read()").isEqualTo(VmclockPage.MAGIC);
    }

    @Test
    @Clause("VMC-LAYOUT-02")
    void fieldsAreLittleEndian(VmclockView vmclock) {
        VmclockPage page = vmclock.bootPage();
        long bigEndianMagic = Integer.toUnsignedLong(Integer.reverseBytes((int) page.magic()));
        NotApplicable.unless(page.magicIsValid() || bigEndianMagic == VmclockPage.MAGIC,
                "the magic is VCLK in neither byte order, so the byte order cannot be judged (see VMC-LAYOUT-01)");
        assertThat(bigEndianMagic).as("magic read big-endian must not be VCLK").isNotEqualTo(VmclockPage.MAGIC);
        assertThat(page.size()).as("size read little-endian is a plausible region length").isBetween(1L, 1L << 24);
    }

    @Test
    @Clause("VMC-LAYOUT-03")
    void sizeEqualsCrsLength(VmclockView vmclock) {
        List<AcpiDevice> devices = vmclock.acpiDevices();
        NotApplicable.unless(devices.size() == 1 && devices.get(0).memoryResources().size() == 1,
                "no single ACPI _CRS memory range to compare with (see VMC-ACPI-05, VMC-ACPI-09)");
        assertThat(vmclock.bootPage().size()).as("size vs _CRS length")
                .isEqualTo(devices.get(0).memoryResources().get(0).length());
    }

    @Test
    @Clause("VMC-LAYOUT-04")
    void sizeCoversWholeStructure(VmclockView vmclock) {
        assertThat(vmclock.bootPage().size()).as("size").isGreaterThanOrEqualTo(PageField.STRUCT_SIZE);
    }

    @Test
    @Clause("VMC-LAYOUT-05")
    void sizeIsFullPage(VmclockView vmclock) {
        long size = vmclock.bootPage().size();
        assertThat(size).as("size").isGreaterThanOrEqualTo(4096);
        assertThat(size % 4096).as("size modulo 4 KiB").isZero();
    }

    @Test
    @Clause("VMC-LAYOUT-06")
    void versionIsOne(VmclockView vmclock) {
        assertThat(vmclock.bootPage().version()).as("version (0x08)").isEqualTo(VmclockPage.VERSION);
    }

    @Test
    @Clause("VMC-LAYOUT-07")
    void fieldOffsetsMatchHeader(VmclockView vmclock) {
        Observation o = vmclock.observed(Event.SNAPSHOT_LOAD);
        // A restore changes disruption_marker (0x10) under seq_count (0x0c): the bytes that change must lie there.
        assertThat(o.changedFields()).as("fields changed by loadvm")
                .isSubsetOf(PageField.SEQ_COUNT, PageField.DISRUPTION_MARKER, PageField.VM_GENERATION_COUNTER)
                .contains(PageField.SEQ_COUNT);
    }

    @Test
    @Clause("VMC-LAYOUT-07")
    void generationCounterIsAtOffset0x68(VmclockView vmclock) {
        NotApplicable.unlessFlag(vmclock.bootPage(), Flag.VM_GEN_COUNTER_PRESENT);
        Observation o = vmclock.observed(Event.SNAPSHOT_LOAD);
        assertThat(o.changed(PageField.VM_GENERATION_COUNTER)).as("vm_generation_counter at 0x68 changed on loadvm").isTrue();
        assertThat(o.changed(PageField.TIME_MAXERROR_NANOSEC)).as("bytes 0x60-0x67 (time_maxerror_nanosec, "
                + "where UAPI.13 misplaces the counter) unchanged").isFalse();
    }
}
