package dev.vmclock.conformance.suite;

import static org.assertj.core.api.Assertions.assertThat;

import dev.vmclock.conformance.Clause;
import dev.vmclock.conformance.NotApplicable;
import dev.vmclock.conformance.VmclockConformance;
import dev.vmclock.conformance.clock.ClockMath;
import dev.vmclock.conformance.vm.Event;
import dev.vmclock.conformance.view.Observation;
import dev.vmclock.conformance.view.VmclockView;
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

    /**
     * Where a restore writes the marker: loadvm changes disruption_marker (VMC-DISRUPT-02) under seq_count
     * (VMC-SEQ-03). The offsets are judged from that update only: when the marker at 0x10 did not change, a
     * page with no clock whose clock fields changed instead shows the marker written elsewhere; a page that
     * changed nothing but seq_count, or a clock page (which may re-anchor on a restore), shows nothing about
     * offsets. Constant fields (VMC-CONST-02) and torn updates (VMC-SEQ-05) are judged by their clauses.
     */
    @Test
    @Clause("VMC-LAYOUT-07")
    void fieldOffsetsMatchHeader(VmclockView vmclock) {
        Observation o = vmclock.observed(Event.SNAPSHOT_LOAD);
        NotApplicable.unless(o.changed(PageField.SEQ_COUNT), "loadvm left seq_count (0x0c) unchanged, so the update "
                + "cannot be located (VMC-SEQ-03 judges that)");
        List<PageField> clockFields = o.changedFields().stream()
                .filter(f -> !f.isConstant() && f != PageField.SEQ_COUNT && f != PageField.DISRUPTION_MARKER
                        && f != PageField.VM_GENERATION_COUNTER).toList();
        boolean markerElsewhere = !clockFields.isEmpty() && !ClockMath.advertisesClock(o.before());
        NotApplicable.unless(o.changed(PageField.DISRUPTION_MARKER) || markerElsewhere, "the marker at 0x10 did not "
                + "change on loadvm and nothing shows it written elsewhere (VMC-DISRUPT-02 judges the change)");
        assertThat(o.changed(PageField.DISRUPTION_MARKER)).as("the marker loadvm wrote is at 0x10 (it changed %s of a "
                + "page with no clock instead; inferred from VMC-DISRUPT-02: a restore changes the marker)", clockFields)
                .isTrue();
    }

    /**
     * UAPI.13 v1.0 put the counter at 0x64, inside time_maxerror_nanosec (0x60-0x67); v1.1 and the header put
     * it at 0x68. A counter that changes on loadvm (VMC-GEN-02) shows where it is; one that changes nowhere
     * shows nothing about its offset.
     */
    @Test
    @Clause("VMC-LAYOUT-07")
    void generationCounterIsAtOffset0x68(VmclockView vmclock) {
        NotApplicable.unlessFlag(vmclock.bootPage(), Flag.VM_GEN_COUNTER_PRESENT);
        Observation o = vmclock.observed(Event.SNAPSHOT_LOAD);
        boolean at0x68 = o.changed(PageField.VM_GENERATION_COUNTER);
        // A counter written at 0x64 changes the upper half of time_maxerror_nanosec: more than 4 s of error
        // bound, which no update of a real bound does.
        boolean at0x64 = (PageField.TIME_MAXERROR_NANOSEC.read(o.before().raw()) >>> 32)
                != (PageField.TIME_MAXERROR_NANOSEC.read(o.after().raw()) >>> 32);
        NotApplicable.unless(at0x68 || at0x64, "no counter changed on loadvm, at 0x68 or at v1.0's 0x64, so its "
                + "offset cannot be seen (VMC-GEN-02 judges that it must change)");
        assertThat(at0x68).as("the counter loadvm changed is at 0x68 (it changed bytes 0x64-0x67 instead, UAPI.13 "
                + "v1.0's offset, inside time_maxerror_nanosec)").isTrue();
    }
}
