package dev.vmclock.harness.acpi;

import static org.assertj.core.api.Assertions.assertThat;

import dev.vmclock.harness.memory.PhysicalMemory;
import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/**
 * A device's identity as the OS sees it once the tables are loaded: a literal Store in a later table (what an
 * {@code -acpitable} SSDT can do to QEMU's VMCLOCK SSDT) wins over the Name the device's table declares.
 */
class AcpiIdentityTest {

    private static final long RSDP = 0xe0000L;
    private static final long RSDT = 0x100000L;

    @Test
    void findsLiteralStoresWithTheirTargets() {
        byte[] b = aml(0x70, 0x0d, "AMZNC10D", 0x00, "\\", 0x2f, 0x03, "_SB_VCLK_HID",
                0x70, 0x0d, "X", 0x00, 0x60); // Store("X", Local0): no named target
        assertThat(Aml.stringStores(b, 0, b.length))
                .containsExactly(new Aml.StringStore("\\_SB_.VCLK._HID", "AMZNC10D"));
    }

    @Test
    void aStoreInALaterTableChangesTheIdentity() {
        AcpiTables t = tables(qemuSsdt(), ssdt("WRONGID",
                store("AMZNC10D", "_HID"), store("VMCLOCKX", "_CID")));
        assertThat(t.devicesWithHid(AcpiTables.VMCLOCK_HID)).isEmpty();
        assertThat(t.devicesCovering(0xfeffb000L)).singleElement().satisfies(d -> {
            assertThat(d.hid()).contains("AMZNC10D");
            assertThat(d.cid()).contains("VMCLOCKX");
            assertThat(d.ddn()).contains("VMCLOCK");
        });
    }

    @Test
    void aStoreInAnEarlierTableChangesNothing() {
        AcpiTables t = tables(ssdt("EARLY", store("AMZNC10D", "_HID")), qemuSsdt());
        assertThat(t.devicesWithHid(AcpiTables.VMCLOCK_HID)).singleElement()
                .satisfies(d -> assertThat(d.cid()).isEqualTo(Optional.of("VMCLOCK")));
        assertThat(t.devicesCovering(0xfeffc000L)).isEmpty();
    }

    /** QEMU 10.0's SSDT "VMCLOCK": Scope(\_SB) { Device(VCLK) { _HID, _CID, _DDN, _CRS one QWord memory range } }. */
    private static byte[] qemuSsdt() {
        byte[] crs = ByteBuffer.allocate(48).order(ByteOrder.LITTLE_ENDIAN)
                .put((byte) 0x8a).putShort((short) 43).put((byte) 0).put((byte) 0).put((byte) 0)
                .putLong(0).putLong(0xfeffb000L).putLong(0xfeffbfffL).putLong(0).putLong(0x1000)
                .put((byte) 0x79).put((byte) 0).array();
        byte[] body = aml(0x08, "_HID", 0x0d, "AMZNC10C", 0x00, 0x08, "_CID", 0x0d, "VMCLOCK", 0x00,
                0x08, "_DDN", 0x0d, "VMCLOCK", 0x00, 0x08, "_CRS", 0x11, pkg(aml(0x0a, crs.length, crs)));
        byte[] device = aml(0x5b, 0x82, pkg(aml("VCLK", body)));
        return ssdt("VMCLOCK", aml(0x10, pkg(aml("\\_SB_", device))));
    }

    private static byte[] store(String value, String seg) {
        return aml(0x70, 0x0d, value, 0x00, "\\", 0x2f, 0x03, "_SB_VCLK" + seg);
    }

    private static byte[] ssdt(String tableId, byte[]... body) {
        byte[] aml = aml((Object[]) body);
        ByteBuffer h = ByteBuffer.allocate(36 + aml.length).order(ByteOrder.LITTLE_ENDIAN);
        h.put("SSDT".getBytes(StandardCharsets.US_ASCII)).putInt(36 + aml.length).put((byte) 1).put((byte) 0)
                .put("BOCHS ".getBytes(StandardCharsets.US_ASCII))
                .put(String.format("%-8s", tableId).getBytes(StandardCharsets.US_ASCII)).putInt(1).putInt(0).putInt(0);
        return h.put(aml).array();
    }

    /** RSDP (revision 0) -> RSDT listing {@code tables} in order, laid out above 1 MiB. */
    private static AcpiTables tables(byte[]... tables) {
        ByteBuffer mem = ByteBuffer.allocate(0x200000).order(ByteOrder.LITTLE_ENDIAN);
        long at = RSDT + 36 + 4L * tables.length;
        ByteBuffer rsdt = ByteBuffer.allocate(36 + 4 * tables.length).order(ByteOrder.LITTLE_ENDIAN);
        rsdt.put("RSDT".getBytes(StandardCharsets.US_ASCII)).putInt(36 + 4 * tables.length).position(36);
        for (byte[] t : tables) {
            rsdt.putInt((int) at);
            mem.put((int) at, t);
            at += t.length;
        }
        mem.put((int) RSDT, rsdt.array());
        byte[] rsdp = ByteBuffer.allocate(20).order(ByteOrder.LITTLE_ENDIAN)
                .put("RSD PTR ".getBytes(StandardCharsets.US_ASCII)).put((byte) 0).put("BOCHS ".getBytes(StandardCharsets.US_ASCII))
                .put((byte) 0).putInt((int) RSDT).array();
        int sum = 0;
        for (byte x : rsdp) {
            sum += x;
        }
        rsdp[8] = (byte) -sum;
        mem.put((int) RSDP, rsdp);
        PhysicalMemory m = (address, length) -> {
            byte[] out = new byte[length];
            mem.get((int) address, out);
            return out;
        };
        return AcpiTables.read(m).orElseThrow();
    }

    private static byte[] pkg(byte[] content) {
        int n = content.length + 2; // two-byte PkgLength
        return aml(0x40 | (n & 0x0f), n >> 4, content);
    }

    private static byte[] aml(Object... parts) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        for (Object p : parts) {
            if (p instanceof String s) {
                out.writeBytes(s.getBytes(StandardCharsets.US_ASCII));
            } else if (p instanceof byte[] b) {
                out.writeBytes(b);
            } else {
                out.write((Integer) p);
            }
        }
        return out.toByteArray();
    }
}
