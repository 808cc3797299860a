package dev.vmclock.harness.acpi;

import dev.vmclock.harness.memory.PhysicalMemory;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * The firmware's ACPI tables read out of guest memory from the host: RSDP in the BIOS area, then the
 * RSDT/XSDT, then every DSDT/SSDT. This is what a guest's OS finds, read without trusting the guest.
 */
public final class AcpiTables {

    public static final String VMCLOCK_HID = "AMZNC10C";
    private static final long BIOS_AREA = 0xe0000L;
    private static final int BIOS_AREA_SIZE = 0x20000;

    public record Table(String signature, String oemTableId, long address, byte[] bytes) {
        int amlStart() {
            return 36;
        }
    }

    private final List<Table> tables;

    private AcpiTables(List<Table> tables) {
        this.tables = List.copyOf(tables);
    }

    /** Empty when there is no RSDP yet (firmware not run) or none at all (microvm, {@code -machine none}). */
    public static Optional<AcpiTables> read(PhysicalMemory memory) {
        byte[] bios = memory.read(BIOS_AREA, BIOS_AREA_SIZE);
        for (int off = 0; off + 20 <= bios.length; off += 16) {
            if (matches(bios, off, "RSD PTR ") && checksumOk(bios, off, 20)) {
                int revision = bios[off + 15] & 0xff;
                long rsdt = Aml.le(bios, off + 16, 4);
                long xsdt = revision >= 2 && off + 32 <= bios.length ? Aml.le(bios, off + 24, 8) : 0;
                return Optional.of(new AcpiTables(walk(memory, xsdt != 0 ? xsdt : rsdt, xsdt != 0 ? 8 : 4)));
            }
        }
        return Optional.empty();
    }

    private static List<Table> walk(PhysicalMemory memory, long rootAddress, int entrySize) {
        List<Table> out = new ArrayList<>();
        Table root = table(memory, rootAddress);
        for (int at = 36; at + entrySize <= root.bytes().length; at += entrySize) {
            Table t = table(memory, Aml.le(root.bytes(), at, entrySize));
            out.add(t);
            if (t.signature().equals("FACP") && t.bytes().length >= 44) {
                long dsdt = t.bytes().length >= 148 ? Aml.le(t.bytes(), 140, 8) : 0;
                out.add(table(memory, dsdt != 0 ? dsdt : Aml.le(t.bytes(), 40, 4)));
            }
        }
        return out;
    }

    private static Table table(PhysicalMemory memory, long address) {
        byte[] header = memory.read(address, 36);
        int length = (int) Aml.le(header, 4, 4);
        if (length < 36 || length > (16 << 20)) {
            throw new IllegalStateException(String.format("implausible ACPI table length %d at 0x%x", length, address));
        }
        byte[] bytes = memory.read(address, length);
        return new Table(new String(bytes, 0, 4, StandardCharsets.US_ASCII),
                new String(bytes, 16, 8, StandardCharsets.US_ASCII).replace("\0", "").strip(), address, bytes);
    }

    public List<Table> tables() {
        return tables;
    }

    /** Every device in DSDT/SSDTs whose {@code _HID} is {@code hid} (as the OS sees it: {@link #devices()}). */
    public List<AcpiDevice> devicesWithHid(String hid) {
        return devices().stream().filter(d -> d.hid().equals(Optional.of(hid))).toList();
    }

    /** Every device whose {@code _CRS} has a memory range holding {@code address}, whatever its identity. */
    public List<AcpiDevice> devicesCovering(long address) {
        return devices().stream()
                .filter(d -> d.memoryResources().stream().anyMatch(r -> r.minimum() <= address && address <= r.maximum()))
                .toList();
    }

    /**
     * Every device in DSDT/SSDTs, with {@code _HID}, {@code _CID} and {@code _DDN} as the OS sees them once it has
     * loaded the tables: the literal {@code Name}, unless a literal {@code Store} in a table loaded later sets it.
     */
    public List<AcpiDevice> devices() {
        List<Table> aml = amlTables();
        List<AcpiDevice> out = new ArrayList<>();
        for (int i = 0; i < aml.size(); i++) {
            // A store runs when its table loads: only the device's own table and later ones can change it.
            List<Aml.StringStore> stores = new ArrayList<>();
            for (Table later : aml.subList(i, aml.size())) {
                stores.addAll(Aml.stringStores(later.bytes(), later.amlStart(), later.bytes().length));
            }
            Table t = aml.get(i);
            byte[] bytes = t.bytes();
            for (Aml.DeviceScope d : Aml.devices(bytes, t.amlStart(), bytes.length)) {
                out.add(new AcpiDevice(t.signature() + "/" + t.oemTableId(), d.name(),
                        identity(bytes, d, "_HID", stores), identity(bytes, d, "_CID", stores),
                        identity(bytes, d, "_DDN", stores),
                        Aml.nameBuffer(bytes, d, "_CRS").map(Aml::memoryRanges).orElse(List.of())));
            }
        }
        return out;
    }

    /** The last of {@code stores} into {@code device.seg} (tables load in root-table order), else the literal Name. */
    private static Optional<String> identity(byte[] aml, Aml.DeviceScope d, String seg, List<Aml.StringStore> stores) {
        String suffix = d.name() + "." + seg;
        Optional<String> stored = Optional.empty();
        for (Aml.StringStore s : stores) {
            if (s.target().equals(suffix) || s.target().endsWith("." + suffix)) {
                stored = Optional.of(s.value());
            }
        }
        return stored.isPresent() ? stored : Aml.nameString(aml, d, seg);
    }

    private List<Table> amlTables() {
        return tables.stream().filter(t -> t.signature().equals("DSDT") || t.signature().equals("SSDT")).toList();
    }

    /** Every {@code Notify} in DSDT and SSDTs whose target's last name segment is {@code segment} (e.g. VCLK). */
    public List<AmlNotify> notifiesOf(String segment) {
        List<AmlNotify> out = new ArrayList<>();
        for (Table t : tables) {
            if (!t.signature().equals("DSDT") && !t.signature().equals("SSDT")) {
                continue;
            }
            for (Aml.Notify n : Aml.notifies(t.bytes(), t.amlStart(), t.bytes().length)) {
                AmlNotify a = new AmlNotify(t.signature() + "/" + t.oemTableId(), n.offset(), n.target(), n.value());
                if (a.targetSegment().equals(segment)) {
                    out.add(a);
                }
            }
        }
        return out;
    }

    private static boolean matches(byte[] b, int at, String s) {
        for (int i = 0; i < s.length(); i++) {
            if (b[at + i] != s.charAt(i)) {
                return false;
            }
        }
        return true;
    }

    private static boolean checksumOk(byte[] b, int at, int len) {
        int sum = 0;
        for (int i = 0; i < len; i++) {
            sum += b[at + i];
        }
        return (sum & 0xff) == 0;
    }
}
