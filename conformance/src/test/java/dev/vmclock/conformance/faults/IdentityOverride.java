package dev.vmclock.conformance.faults;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * An SSDT whose top-level code stores another {@code _HID} and {@code _CID} into QEMU's {@code \_SB.VCLK}.
 * QEMU appends a table given with {@code -acpitable} after its own VMCLOCK SSDT, so the guest loads the
 * device first and this table's Stores then run and replace both values (Linux runs a table's top-level code
 * as it loads it, before it enumerates devices): the nearest a stock QEMU 10.0 comes to a build whose
 * {@code _HID} and {@code _CID} are wrong, since the device has no properties and its SSDT cannot be replaced.
 */
record IdentityOverride(String hid, String cid) {

    /** Writes the table into {@code dir} and returns its path. */
    Path write(Path dir) {
        ByteArrayOutputStream aml = new ByteArrayOutputStream();
        store(aml, hid, "_HID");
        store(aml, cid, "_CID");
        byte[] body = aml.toByteArray();
        ByteBuffer t = ByteBuffer.allocate(36 + body.length).order(ByteOrder.LITTLE_ENDIAN);
        t.put(ascii("SSDT")).putInt(36 + body.length).put((byte) 2).put((byte) 0).put(ascii("VMCTST"))
                .put(ascii("WRONGID ")).putInt(1).put(ascii("VMCT")).putInt(1).put(body);
        byte[] table = t.array();
        int sum = 0;
        for (byte b : table) {
            sum += b;
        }
        table[9] = (byte) -sum; // QEMU recomputes it; a valid table either way
        Path file = dir.resolve("ssdt-" + hid + "-" + cid + ".aml");
        try {
            return Files.write(file, table);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** {@code Store("value", \_SB.VCLK.seg)}: StoreOp, a string, a root-relative MultiNamePath of three segments. */
    private static void store(ByteArrayOutputStream aml, String value, String seg) {
        aml.write(0x70);
        aml.write(0x0d);
        aml.writeBytes(ascii(value));
        aml.write(0);
        aml.write('\\');
        aml.write(0x2f);
        aml.write(3);
        aml.writeBytes(ascii("_SB_VCLK" + seg));
    }

    private static byte[] ascii(String s) {
        return s.getBytes(StandardCharsets.US_ASCII);
    }
}
