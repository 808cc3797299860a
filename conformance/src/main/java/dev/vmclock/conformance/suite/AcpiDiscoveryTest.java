package dev.vmclock.conformance.suite;

import static org.assertj.core.api.Assertions.assertThat;

import dev.vmclock.conformance.Clause;
import dev.vmclock.conformance.NotApplicable;
import dev.vmclock.conformance.VmclockConformance;
import dev.vmclock.conformance.view.VmclockView;
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
    void pageNotUsedByGuestOs(VmclockView vmclock) {
        GuestAcpi acpi = presentInGuest(vmclock);
        assertThat(acpi.iomem()).as("the page's /proc/iomem claim").isNotNull();
        assertThat(acpi.e820()).as("e820 entries covering the page").isNotEmpty()
                .allSatisfy(e -> assertThat(e.type()).as("e820 type").isEqualTo("Reserved"));
    }

    @Test
    @Clause("VMC-ACPI-02")
    void pageNotInE820Ram(VmclockView vmclock) {
        assertThat(presentInGuest(vmclock).e820()).noneMatch(e -> e.type().equals("System RAM"));
    }

    @Test
    @Clause("VMC-ACPI-03")
    void pageNotInE820AcpiReclaim(VmclockView vmclock) {
        assertThat(presentInGuest(vmclock).e820()).noneMatch(e -> e.type().startsWith("ACPI"));
    }

    @Test
    @Clause("VMC-ACPI-04")
    void pageSharesNoPageWithOtherResources(VmclockView vmclock) {
        MemoryRange r = onlyRange(vmclock);
        assertThat(r.isPageAligned(4096)).as("_CRS start 0x%x page-aligned", r.minimum()).isTrue();
        assertThat(r.length() % 4096).as("_CRS length 0x%x whole pages", r.length()).isZero();
    }

    @Test
    @Clause("VMC-ACPI-05")
    void deviceAdvertisedOnEveryMachineType(VmclockView vmclock) {
        vmclock.target().require(VmclockView.device());
        List<AcpiDevice> devices = vmclock.acpiDevices();
        assertThat(devices).as("ACPI devices _HID AMZNC10C on machine type %s%s", vmclock.target().machineType(),
                devices.isEmpty() ? atPage(vmclock) : "").isNotEmpty();
    }

    @Test
    @Clause("VMC-ACPI-06")
    void hidIsAmznc10c(VmclockView vmclock) {
        assertThat(onlyDevice(vmclock).hid()).contains("AMZNC10C");
    }

    @Test
    @Clause("VMC-ACPI-07")
    void ddnIsVmclock(VmclockView vmclock) {
        assertThat(onlyDevice(vmclock).ddn()).as("_DDN").contains("VMCLOCK");
    }

    @Test
    @Clause("VMC-ACPI-08")
    void cidIsVmclock(VmclockView vmclock) {
        assertThat(onlyDevice(vmclock).cid()).as("_CID").contains("VMCLOCK");
        GuestAcpi acpi = vmclock.inGuest(() -> vmclock.guest().acpi());
        if (acpi.present()) {
            assertThat(acpi.modalias()).as("modalias the guest kernel sees").contains(":VMCLOCK:");
        }
    }

    @Test
    @Clause("VMC-ACPI-09")
    void crsDescribesPage(VmclockView vmclock) {
        MemoryRange r = onlyRange(vmclock);
        VmclockPage page = vmclock.bootPage();
        assertThat(vmclock.location().address()).as("page address used by the harness").isEqualTo(r.minimum());
        assertThat(page.magicIsValid()).as("a VMClock page (magic VCLK) at the _CRS address 0x%x", r.minimum()).isTrue();
    }

    private static AcpiDevice onlyDevice(VmclockView vmclock) {
        List<AcpiDevice> devices = vmclock.acpiDevices();
        assertThat(devices).as("ACPI devices with _HID AMZNC10C%s", devices.isEmpty() ? atPage(vmclock) : "").hasSize(1);
        return devices.get(0);
    }

    /** The devices that describe the page under whatever identity: what a wrong _HID leaves to see. */
    private static String atPage(VmclockView vmclock) {
        return " (devices whose _CRS holds the page: " + vmclock.acpiDevicesAtPage() + ")";
    }

    private static MemoryRange onlyRange(VmclockView vmclock) {
        AcpiDevice d = onlyDevice(vmclock);
        assertThat(d.memoryResources()).as("memory resources in _CRS of %s", d.name()).hasSize(1);
        return d.memoryResources().get(0);
    }

    private static GuestAcpi presentInGuest(VmclockView vmclock) {
        GuestAcpi acpi = vmclock.inGuest(() -> vmclock.guest().acpi());
        NotApplicable.unless(acpi.present(), "the guest kernel sees no AMZNC10C device (see VMC-ACPI-05, VMC-ACPI-06)");
        return acpi;
    }
}
