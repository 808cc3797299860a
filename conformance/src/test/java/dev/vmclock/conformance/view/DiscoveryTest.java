package dev.vmclock.conformance.view;

import static org.assertj.core.api.Assertions.assertThat;

import dev.vmclock.harness.acpi.AcpiTables;
import dev.vmclock.harness.page.PageLocation;
import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/**
 * Why a guest could not bind, from the host's ACPI tables alone: each way discovery fails names its clause;
 * tables that describe the device leave the guest's failure to bind its own (VMC-DRIVER-01).
 */
class DiscoveryTest {

    private static final PageLocation PAGE = PageLocation.QEMU_DEFAULT;

    @Test
    void tablesDescribingTheDeviceLeaveTheFailureToTheGuest() {
        assertThat(Discovery.of(tables(device("AMZNC10C", "VMCLOCK", 0xfeffb000L)), PAGE).failure()).isEmpty();
        // Linux's driver matches either identity.
        assertThat(Discovery.of(tables(device("AMZNC10D", "VMCLOCK", 0xfeffb000L)), PAGE).failure()).isEmpty();
        assertThat(Discovery.of(tables(device("AMZNC10C", "OTHER", 0xfeffb000L)), PAGE).failure()).isEmpty();
    }

    @Test
    void aWrongIdentityNamesTheIdentityClauses() {
        assertThat(Discovery.of(tables(device("AMZNC10D", "VMCLOCKX", 0xfeffb000L)), PAGE).failure()).hasValueSatisfying(
                why -> assertThat(why).contains("_HID AMZNC10D, not AMZNC10C", "_CID VMCLOCKX, not VMCLOCK",
                        "VMC-ACPI-06, VMC-ACPI-08 FAIL"));
    }

    @Test
    void aDeviceElsewhereNamesTheCrsClause() {
        assertThat(Discovery.of(tables(device("AMZNC10C", "VMCLOCK", 0xfeffc000L)), PAGE).failure())
                .hasValueSatisfying(why -> assertThat(why).contains("VMC-ACPI-09 FAILs"));
    }

    @Test
    void noDescriptionNamesTheAdvertisingClause() {
        assertThat(Discovery.of(tables(), PAGE).failure())
                .hasValueSatisfying(why -> assertThat(why).contains("describe no device", "VMC-ACPI-05 FAILs"));
        assertThat(Discovery.of(Optional.empty(), PAGE).failure())
                .hasValueSatisfying(why -> assertThat(why).contains("no ACPI tables", "VMC-ACPI-05 FAILs"));
    }

    /** Device(VCLK) { _HID, _CID, _CRS: one 32-bit fixed memory range of a page at {@code base} }. */
    private static byte[] device(String hid, String cid, long base) {
        byte[] crs = ByteBuffer.allocate(14).order(ByteOrder.LITTLE_ENDIAN).put((byte) 0x86).putShort((short) 9)
                .put((byte) 1).putInt((int) base).putInt(0x1000).put((byte) 0x79).put((byte) 0).array();
        byte[] body = bytes(0x08, "_HID", 0x0d, hid, 0x00, 0x08, "_CID", 0x0d, cid, 0x00,
                0x08, "_CRS", 0x11, pkg(bytes(0x0a, crs.length, crs)));
        return bytes(0x5b, 0x82, pkg(bytes("VCLK", body)));
    }

    /** RSDP -> RSDT -> one SSDT holding {@code devices}, in a fake guest memory. */
    private static Optional<AcpiTables> tables(byte[]... devices) {
        byte[] aml = bytes((Object[]) devices);
        ByteBuffer mem = ByteBuffer.allocate(0x110000).order(ByteOrder.LITTLE_ENDIAN);
        mem.put(0x100000, ascii("SSDT")).putInt(0x100004, 36 + aml.length).put(0x100000 + 36, aml);
        mem.put(0x101000, ascii("RSDT")).putInt(0x101004, 40).putInt(0x101000 + 36, 0x100000);
        byte[] rsdp = ByteBuffer.allocate(20).order(ByteOrder.LITTLE_ENDIAN).put(ascii("RSD PTR ")).put((byte) 0)
                .put(ascii("BOCHS ")).put((byte) 0).putInt(0x101000).array();
        int sum = 0;
        for (byte b : rsdp) {
            sum += b;
        }
        rsdp[8] = (byte) -sum;
        mem.put(0xe0000, rsdp);
        return AcpiTables.read((address, length) -> {
            byte[] out = new byte[length];
            mem.get((int) address, out);
            return out;
        });
    }

    private static byte[] pkg(byte[] content) {
        int n = content.length + 2; // two-byte PkgLength
        return bytes(0x40 | (n & 0x0f), n >> 4, content);
    }

    private static byte[] ascii(String s) {
        return s.getBytes(StandardCharsets.US_ASCII);
    }

    private static byte[] bytes(Object... parts) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        for (Object p : parts) {
            if (p instanceof String s) {
                out.writeBytes(ascii(s));
            } else if (p instanceof byte[] b) {
                out.writeBytes(b);
            } else {
                out.write((Integer) p);
            }
        }
        return out.toByteArray();
    }
}
