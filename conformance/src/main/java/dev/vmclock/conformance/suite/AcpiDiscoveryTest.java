package dev.vmclock.conformance.suite;

import static org.assertj.core.api.Assertions.assertThat;

import dev.vmclock.conformance.Clause;
import dev.vmclock.conformance.NotApplicable;
import dev.vmclock.conformance.VmclockConformance;
import dev.vmclock.conformance.target.Target;
import dev.vmclock.harness.acpi.AcpiDevice;
import dev.vmclock.harness.acpi.MemoryRange;
import dev.vmclock.harness.guest.GuestAcpi;
import dev.vmclock.harness.page.VmclockPage;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * UAPI.13 §Discovery via ACPI: the device's identity and resource as the firmware tables publish them
 * (read from guest memory by the host) and as the guest kernel sees them (sysfs, /proc/iomem, e820).
 */
@VmclockConformance
class AcpiDiscoveryTest {

    @Test
    @Clause("VMC-ACPI-01")
    void pageNotUsedByGuestOs(Target target) {
        GuestAcpi acpi = presentInGuest(target);
        assertThat(acpi.iomem()).as("the page's /proc/iomem claim").isNotNull();
        assertThat(acpi.e820()).as("e820 entries covering the page").isNotEmpty()
                .allSatisfy(e -> assertThat(e.type()).as("e820 type").isEqualTo("Reserved"));
    }

    @Test
    @Clause("VMC-ACPI-02")
    void pageNotInE820Ram(Target target) {
        assertThat(presentInGuest(target).e820()).noneMatch(e -> e.type().equals("System RAM"));
    }

    @Test
    @Clause("VMC-ACPI-03")
    void pageNotInE820AcpiReclaim(Target target) {
        assertThat(presentInGuest(target).e820()).noneMatch(e -> e.type().startsWith("ACPI"));
    }

    @Test
    @Clause("VMC-ACPI-04")
    void pageSharesNoPageWithOtherResources(Target target) {
        MemoryRange r = onlyRange(target);
        assertThat(r.isPageAligned(4096)).as("_CRS start 0x%x page-aligned", r.minimum()).isTrue();
        assertThat(r.length() % 4096).as("_CRS length 0x%x whole pages", r.length()).isZero();
    }

    @Test
    @Clause("VMC-ACPI-05")
    void deviceAdvertisedOnEveryMachineType(Target target) {
        NotApplicable.unless(target.config().device(), "the target has no VMClock device");
        assertThat(target.acpiDevices()).as("ACPI devices _HID AMZNC10C on machine type %s", target.config().machine())
                .isNotEmpty();
    }

    @Test
    @Clause("VMC-ACPI-06")
    void hidIsAmznc10c(Target target) {
        assertThat(onlyDevice(target).hid()).contains("AMZNC10C");
    }

    @Test
    @Clause("VMC-ACPI-07")
    void ddnIsVmclock(Target target) {
        assertThat(onlyDevice(target).ddn()).as("_DDN").contains("VMCLOCK");
    }

    @Test
    @Clause("VMC-ACPI-08")
    void cidIsVmclock(Target target) {
        assertThat(onlyDevice(target).cid()).as("_CID").contains("VMCLOCK");
        GuestAcpi acpi = target.inGuest(() -> target.guest().acpi());
        if (acpi.present()) {
            assertThat(acpi.modalias()).as("modalias the guest kernel sees").contains(":VMCLOCK:");
        }
    }

    @Test
    @Clause("VMC-ACPI-09")
    void crsDescribesPage(Target target) {
        MemoryRange r = onlyRange(target);
        VmclockPage page = target.bootPage();
        assertThat(target.machine().pageLocation().address()).as("page address used by the harness").isEqualTo(r.minimum());
        assertThat(page.magicIsValid()).as("a VMClock page (magic VCLK) at the _CRS address 0x%x", r.minimum()).isTrue();
    }

    private static AcpiDevice onlyDevice(Target target) {
        List<AcpiDevice> devices = target.acpiDevices();
        assertThat(devices).as("ACPI devices with _HID AMZNC10C").hasSize(1);
        return devices.get(0);
    }

    private static MemoryRange onlyRange(Target target) {
        AcpiDevice d = onlyDevice(target);
        assertThat(d.memoryResources()).as("memory resources in _CRS of %s", d.name()).hasSize(1);
        return d.memoryResources().get(0);
    }

    private static GuestAcpi presentInGuest(Target target) {
        GuestAcpi acpi = target.inGuest(() -> target.guest().acpi());
        NotApplicable.unless(acpi.present(), "the guest kernel sees no AMZNC10C device (see VMC-ACPI-05, VMC-ACPI-06)");
        return acpi;
    }
}
