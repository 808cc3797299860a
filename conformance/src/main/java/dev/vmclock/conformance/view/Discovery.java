package dev.vmclock.conformance.view;

import dev.vmclock.harness.acpi.AcpiDevice;
import dev.vmclock.harness.acpi.AcpiTables;
import dev.vmclock.harness.page.PageLocation;
import java.util.List;
import java.util.Optional;

/**
 * Whether the host's ACPI tables let a guest discover the VMClock page, judged from the tables alone (never
 * from another check's verdict). A guest without {@code /dev/vmclock0} on a machine whose tables do not
 * describe the page as a VMClock device could not bind a driver: the checks that need the guest's view are
 * then NOT_APPLICABLE naming the discovery clause these tables FAIL. On tables that do describe it, the
 * guest's failure to bind is the driver's own (VMC-DRIVER-01), a FAIL.
 */
record Discovery(Optional<String> failure) {

    static final String HID = AcpiTables.VMCLOCK_HID;
    static final String CID = "VMCLOCK";

    /** What stops a guest from finding the device at {@code page}; empty when the tables describe it. */
    static Discovery of(Optional<AcpiTables> tables, PageLocation page) {
        if (tables.isEmpty()) {
            return failed("the machine gives the guest no ACPI tables, so nothing advertises the device (VMC-ACPI-05 "
                    + "FAILs)");
        }
        AcpiTables t = tables.get();
        List<AcpiDevice> atPage = t.devicesCovering(page.address());
        // ptp_vmclock matches _HID AMZNC10C or, from Linux 7.0, _CID VMCLOCK: either one lets a driver bind.
        if (atPage.stream().anyMatch(d -> d.hid().equals(Optional.of(HID)) || d.cid().equals(Optional.of(CID)))) {
            return new Discovery(Optional.empty());
        }
        if (!atPage.isEmpty()) {
            AcpiDevice d = atPage.get(0);
            return failed(String.format("the device whose _CRS holds the page (%s in %s) has _HID %s, not %s, and "
                    + "_CID %s, not %s (VMC-ACPI-06, VMC-ACPI-08 FAIL)", d.name(), d.table(), d.hid().orElse("(none)"),
                    HID, d.cid().orElse("(none)"), CID));
        }
        List<AcpiDevice> elsewhere = t.devicesWithHid(HID);
        if (!elsewhere.isEmpty()) {
            return failed("the " + HID + " device's _CRS " + elsewhere.get(0).memoryResources() + " does not hold the "
                    + "page at " + page + " (VMC-ACPI-09 FAILs)");
        }
        return failed("the machine's ACPI tables describe no device at the page " + page + " (VMC-ACPI-05 FAILs)");
    }

    private static Discovery failed(String why) {
        return new Discovery(Optional.of(why));
    }
}
