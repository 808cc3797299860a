package dev.vmclock.conformance.suite;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.vmclock.conformance.Clause;
import dev.vmclock.conformance.NotApplicable;
import dev.vmclock.conformance.VmclockConformance;
import dev.vmclock.conformance.clock.ClockMath;
import dev.vmclock.conformance.view.VmclockView;
import dev.vmclock.harness.acpi.AcpiDevice;
import dev.vmclock.harness.guest.GuestAcpi;
import dev.vmclock.harness.guest.GuestPageRead;
import dev.vmclock.harness.guest.PollResult;
import dev.vmclock.harness.guest.PtpReading;
import dev.vmclock.harness.page.ClockStatus;
import dev.vmclock.harness.page.Flag;
import dev.vmclock.harness.page.PageField;
import dev.vmclock.harness.page.TimeType;
import dev.vmclock.harness.page.VmclockPage;
import dev.vmclock.conformance.clock.PtpTime;
import java.math.BigDecimal;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * The reference guest: Linux ptp_vmclock, through which the suite sees the device from inside. A device
 * the driver cannot use fails here; the driver's own checks (what it rejects) are verified on pages that
 * have the defect.
 */
@VmclockConformance
class DriverTest {

    /** What ptp_vmclock maps and read() serves: one page (vmclock_miscdev_read clamps to PAGE_SIZE). */
    private static final long PAGE_BYTES = 4096;

    @Test
    @Clause("VMC-DRIVER-01")
    void bindsToAcpiDevice(VmclockView vmclock) {
        GuestAcpi acpi = vmclock.guest().acpi();
        assertThat(acpi.present()).as("the guest kernel sees an AMZNC10C device").isTrue();
        assertThat(acpi.driver()).as("driver bound to %s", acpi.path()).isEqualTo("vmclock");
        assertThat(vmclock.guest().version().devicePresent()).as("/dev/vmclock0 exists").isTrue();
    }

    @Test
    @Clause("VMC-DRIVER-02")
    void rejectsWrongMagic(VmclockView vmclock) {
        VmclockPage p = vmclock.rawPage();
        NotApplicable.unless(!p.magicIsValid() && !vmclock.acpiDevices().isEmpty(), "the device's magic is valid");
        assertNotBound(vmclock);
    }

    @Test
    @Clause("VMC-DRIVER-03")
    void rejectsSizeLargerThanRegion(VmclockView vmclock) {
        List<AcpiDevice> devices = vmclock.acpiDevices();
        NotApplicable.unless(devices.size() == 1 && devices.get(0).memoryResources().size() == 1, "no single _CRS range");
        long region = devices.get(0).memoryResources().get(0).length();
        NotApplicable.unless(vmclock.rawPage().size() > region, "size does not exceed the _CRS region");
        assertNotBound(vmclock);
    }

    @Test
    @Clause("VMC-DRIVER-04")
    void rejectsUnknownVersion(VmclockView vmclock) {
        VmclockPage p = vmclock.rawPage();
        NotApplicable.unless(p.magicIsValid() && p.version() != 1, "version is 1 (or the magic is already wrong)");
        assertNotBound(vmclock);
    }

    private static void assertNotBound(VmclockView vmclock) {
        assertThat(vmclock.guest().version().devicePresent())
                .as("/dev/vmclock0 for a page the driver must reject").isFalse();
    }

    @Test
    @Clause("VMC-DRIVER-05")
    void readReturnsPageContents(VmclockView vmclock) {
        VmclockPage boot = vmclock.bootPage();
        // The driver maps and reads one 4 KiB page; a larger size is one it must refuse to bind to.
        NotApplicable.unless(boot.size() <= PAGE_BYTES, "size " + boot.size() + " exceeds the page the driver reads ("
                + PAGE_BYTES + " bytes), so no driver may be bound to read it (VMC-DRIVER-03)");
        // The guest first, then the host: a device that changes the page under the host's copy (SEQ-05's fault)
        // must not make the guest's earlier read look wrong.
        GuestPageRead r = vmclock.guestRead();
        VmclockPage host = vmclock.rawPage();
        assertThat(r.page().raw()).as("bytes read()").hasSize((int) host.size());
        assertThat(r.page().changedFields(host)).as("read() vs host page").isEmpty();
    }

    @Test
    @Clause("VMC-DRIVER-05")
    void readPastEndOfPageReturnsZero(VmclockView vmclock) {
        long size = vmclock.guestRead().page().size();
        byte[] past = vmclock.inGuest(() -> vmclock.guest().readAt(size, 16));
        assertThat(past).as("read() at offset size (%d)", size).isEmpty();
    }

    @Test
    @Clause("VMC-DRIVER-07")
    void readOnlyMmapShowsLiveUpdates(VmclockView vmclock) {
        vmclock.requirePageWriter();
        long before = vmclock.guestMmap().page().seqCount();
        VmclockPage written = vmclock.updatePage(p -> { });
        GuestPageRead after = vmclock.guestMmap();
        assertThat(after.page().seqCount()).as("seq_count through mmap() after a host update from %d", before)
                .isEqualTo(written.seqCount());
    }

    @Test
    @Clause("VMC-DRIVER-08")
    void writableMmapIsRefused(VmclockView vmclock) {
        GuestPageRead r = vmclock.guestMmap();
        assertThat(r.writableMappingRefused()).as("writable shared mapping refused (errno %s)", r.writableErrno()).isTrue();
    }

    @Test
    @Clause("VMC-DRIVER-08")
    void mprotectToWritableIsRefused(VmclockView vmclock) {
        JsonNode r = vmclock.inGuest(() -> vmclock.guest().command("mmap", Map.of()));
        NotApplicable.unless(r.has("mprotect_write_refused"), "the agent cannot try mprotect()");
        assertThat(r.path("mprotect_write_refused").asBoolean()).as("mprotect(PROT_WRITE) refused (errno %s)",
                r.path("mprotect_errno").asText()).isTrue();
    }

    @Test
    @Clause("VMC-DRIVER-09")
    void pollReturnsPollhupWithoutNotificationFlag(VmclockView vmclock) {
        NotApplicable.unless(!vmclock.bootPage().flags().has(Flag.NOTIFICATION_PRESENT), "NOTIFICATION_PRESENT is set");
        PollResult r = vmclock.inGuest(() -> vmclock.guest().poll(Duration.ofMillis(500)));
        assertThat(r.hungUp()).as("poll() revents %s", r.revents()).isTrue();
        assertThat(r.elapsedNanos()).as("returned at once").isLessThan(Duration.ofMillis(400).toNanos());
    }

    @Test
    @Clause("VMC-DRIVER-10")
    void pollReadableUntilRead(VmclockView vmclock) {
        NotApplicable.unlessFlag(vmclock.bootPage(), Flag.NOTIFICATION_PRESENT);
        vmclock.requirePageWriter();
        vmclock.guestRead();
        vmclock.updatePage(p -> { });
        JsonNode r = vmclock.inGuest(() -> vmclock.guest().command("poll", Map.of("timeout_ms", 500, "read_first", false)));
        assertThat(r.path("revents").toString()).as("poll() after an update the guest has not read: %s", r)
                .contains("POLLIN");
    }

    @Test
    @Clause("VMC-DRIVER-11")
    void noPtpClockWhenCounterInvalid(VmclockView vmclock) {
        NotApplicable.unless(!ClockMath.advertisesClock(vmclock.bootPage()), "counter_id is valid");
        assertThat(vmclock.guest().ptpClocks()).as("PTP clocks").noneMatch(n -> n.contains("vmclock"));
    }

    @Test
    @Clause("VMC-DRIVER-11")
    void ptpClockWhenTscAndTaiPublished(VmclockView vmclock) {
        VmclockPage p = vmclock.bootPage();
        NotApplicable.unlessClock(p);
        NotApplicable.unless(p.timeType().equals(TimeType.TAI) && p.size() >= PageField.STRUCT_SIZE,
                "time_type is " + p.timeType() + ", not TAI");
        assertThat(vmclock.guest().ptpClocks()).as("PTP clocks").anyMatch(n -> n.contains("vmclock"));
    }

    @Test
    @Clause("VMC-DRIVER-11")
    void noPtpClockForUtcWithoutTaiOffset(VmclockView vmclock) {
        VmclockPage p = vmclock.bootPage();
        NotApplicable.unlessClock(p);
        NotApplicable.unless(p.timeType().equals(TimeType.UTC) && !p.flags().has(Flag.TAI_OFFSET_VALID),
                "not a UTC page without a valid TAI offset");
        assertThat(vmclock.guest().ptpClocks()).as("PTP clocks").noneMatch(n -> n.contains("vmclock"));
    }

    @Test
    @Clause("VMC-DRIVER-12")
    void ptpClockReadsThePagesTai(VmclockView vmclock) {
        NotApplicable.unlessClock(vmclock.bootPage());
        VmclockPage p = vmclock.page();
        NotApplicable.unless(p.timeType().equals(TimeType.TAI), "time_type is " + p.timeType() + ", not TAI");
        NotApplicable.unless(!p.clockStatus().equals(ClockStatus.UNRELIABLE),
                "clock_status is UNRELIABLE, with which the driver serves no time (VMC-STATUS-04)");
        PtpReads.Observed o = PtpReads.against(vmclock);
        PtpReading.Method m = o.reading().gettime();
        if (m.ok()) {
            vmclock.evidence().note("PTP - true TAI (host UTC + 37 s) = "
                    + PtpTime.seconds(m.ptpNanos()).subtract(PtpReads.hostTai()) + " s (recorded: judged by VMC-STATUS-02)");
        }
        PtpReads.assertReadsPageTime(vmclock, o, BigDecimal.ZERO, "the page's TAI");
    }

    /**
     * The same clock republished as a UTC page: time_type UTC, time_sec + tai_offset_sec (UTC = TAI + the
     * offset, UAPI.13 v1.1, which settled the sign the driver always used). The PTP clock then reads
     * UTC - tai_offset_sec, which is the page's TAI; its distance from true TAI (host UTC + 37) is recorded
     * (the page's own accuracy is VMC-STATUS-02's).
     */
    @Test
    @Clause("VMC-DRIVER-12")
    void utcPageReadsUtcMinusTaiOffset(VmclockView vmclock) {
        NotApplicable.unlessClock(vmclock.bootPage());
        VmclockPage p = vmclock.page();
        NotApplicable.unless(p.timeType().equals(TimeType.TAI) && p.flags().has(Flag.TAI_OFFSET_VALID),
                "not a TAI page with a valid TAI offset, from which the suite derives the UTC page");
        NotApplicable.unless(!p.clockStatus().equals(ClockStatus.UNRELIABLE),
                "clock_status is UNRELIABLE, with which the driver serves no time (VMC-STATUS-04)");
        int offset = p.taiOffsetSec();
        vmclock.withTemporaryPage("the same clock as a UTC page: time_type UTC, time_sec + (" + offset + ")", page -> {
            PageField.TIME_TYPE.write(page, TimeType.UTC.value());
            PageField.TIME_SEC.write(page, PageField.TIME_SEC.read(page) + offset);
        }, () -> {
            PtpReads.Observed o = PtpReads.against(vmclock);
            PtpReading.Method m = o.reading().gettime();
            if (m.ok()) {
                vmclock.evidence().note("PTP - page UTC = " + PtpTime.offset(o.page(), m) + " s (expected "
                        + (-offset) + "); PTP - true TAI (host UTC + 37 s) = "
                        + PtpTime.seconds(m.ptpNanos()).subtract(PtpReads.hostTai()) + " s");
            }
            PtpReads.assertReadsPageTime(vmclock, o, BigDecimal.valueOf(-offset),
                    "the page's UTC minus tai_offset_sec (" + offset + " s)");
            return null;
        });
    }
}
