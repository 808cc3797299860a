package dev.vmclock.harness.acpi;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * Just enough AML to find devices and read the literal objects a VMClock device is described with:
 * {@code Device} scopes, {@code Name(_XXX, "string")} and {@code Name(_CRS, Buffer)} resource
 * templates. Methods are not evaluated; a device whose {@code _CRS} is a method yields no ranges.
 */
final class Aml {

    private static final int NAME_OP = 0x08;
    private static final int STRING_PREFIX = 0x0d;
    private static final int BUFFER_OP = 0x11;
    private static final int EXT_OP = 0x5b;
    private static final int DEVICE_OP = 0x82;

    private Aml() {
    }

    record DeviceScope(String name, int bodyStart, int end) {
    }

    /** Every {@code Device} in the AML byte range, nested ones included. */
    static List<DeviceScope> devices(byte[] aml, int start, int end) {
        List<DeviceScope> out = new ArrayList<>();
        for (int i = start; i + 2 < end; i++) {
            if ((aml[i] & 0xff) == EXT_OP && (aml[i + 1] & 0xff) == DEVICE_OP) {
                int pkgStart = i + 2;
                int[] pkg = pkgLength(aml, pkgStart);
                int scopeEnd = pkgStart + pkg[0];
                if (pkg[0] <= 0 || scopeEnd > end) {
                    continue;
                }
                int nameStart = pkgStart + pkg[1];
                int nameEnd = nameStringEnd(aml, nameStart);
                String name = new String(aml, nameStart, nameEnd - nameStart, StandardCharsets.US_ASCII);
                out.add(new DeviceScope(name, nameEnd, scopeEnd));
            }
        }
        return out;
    }

    /** {@code Name(seg, "string")} directly inside the scope. */
    static Optional<String> nameString(byte[] aml, DeviceScope d, String seg) {
        int at = findName(aml, d, seg);
        if (at < 0 || (aml[at] & 0xff) != STRING_PREFIX) {
            return Optional.empty();
        }
        int s = at + 1;
        int e = s;
        while (e < d.end() && aml[e] != 0) {
            e++;
        }
        return Optional.of(new String(aml, s, e - s, StandardCharsets.US_ASCII));
    }

    /** The bytes of {@code Name(seg, Buffer(){...})} directly inside the scope. */
    static Optional<byte[]> nameBuffer(byte[] aml, DeviceScope d, String seg) {
        int at = findName(aml, d, seg);
        if (at < 0 || (aml[at] & 0xff) != BUFFER_OP) {
            return Optional.empty();
        }
        int[] pkg = pkgLength(aml, at + 1);
        int bufEnd = at + 1 + pkg[0];
        int p = at + 1 + pkg[1];
        // BufferSize is a TermArg: here a ByteConst/WordConst/DWordConst/Zero/One.
        p += switch (aml[p] & 0xff) {
            case 0x0a -> 2;
            case 0x0b -> 3;
            case 0x0c -> 5;
            default -> 1;
        };
        if (bufEnd > d.end() || p > bufEnd) {
            return Optional.empty();
        }
        byte[] out = new byte[bufEnd - p];
        System.arraycopy(aml, p, out, 0, out.length);
        return Optional.of(out);
    }

    /** Memory descriptors of a resource template: QWord/DWord address space (memory) and 32-bit fixed. */
    static List<MemoryRange> memoryRanges(byte[] res) {
        List<MemoryRange> out = new ArrayList<>();
        int i = 0;
        while (i < res.length) {
            int tag = res[i] & 0xff;
            if ((tag & 0x80) == 0) {
                int len = tag & 0x07;
                if (((tag >> 3) & 0x0f) == 0x0f) {
                    break; // End Tag
                }
                i += 1 + len;
                continue;
            }
            if (i + 3 > res.length) {
                break;
            }
            int len = (res[i + 1] & 0xff) | (res[i + 2] & 0xff) << 8;
            int body = i + 3;
            switch (tag) {
                case 0x8a -> { // QWord Address Space
                    if ((res[body] & 0xff) == 0) {
                        out.add(new MemoryRange(le(res, body + 11, 8), le(res, body + 19, 8), le(res, body + 35, 8),
                                "QWordMemory"));
                    }
                }
                case 0x87 -> { // DWord Address Space
                    if ((res[body] & 0xff) == 0) {
                        out.add(new MemoryRange(le(res, body + 7, 4), le(res, body + 11, 4), le(res, body + 19, 4),
                                "DWordMemory"));
                    }
                }
                case 0x86 -> { // 32-bit Fixed Memory Range
                    long base = le(res, body + 1, 4);
                    long size = le(res, body + 5, 4);
                    out.add(new MemoryRange(base, base + size - 1, size, "Memory32Fixed"));
                }
                default -> {
                    // not a memory resource
                }
            }
            i = body + len;
        }
        return out;
    }

    private static int findName(byte[] aml, DeviceScope d, String seg) {
        byte[] s = seg.getBytes(StandardCharsets.US_ASCII);
        for (int i = d.bodyStart(); i + 5 < d.end(); i++) {
            if ((aml[i] & 0xff) == NAME_OP && aml[i + 1] == s[0] && aml[i + 2] == s[1] && aml[i + 3] == s[2]
                    && aml[i + 4] == s[3]) {
                return i + 5;
            }
        }
        return -1;
    }

    /** {length, bytes used by the PkgLength encoding}. */
    static int[] pkgLength(byte[] aml, int at) {
        int lead = aml[at] & 0xff;
        int follow = lead >> 6;
        if (follow == 0) {
            return new int[] {lead & 0x3f, 1};
        }
        int len = lead & 0x0f;
        for (int k = 0; k < follow; k++) {
            len |= (aml[at + 1 + k] & 0xff) << (4 + 8 * k);
        }
        return new int[] {len, 1 + follow};
    }

    private static int nameStringEnd(byte[] aml, int at) {
        int p = at;
        while (aml[p] == '\\' || aml[p] == '^') {
            p++;
        }
        int segs = 1;
        if (aml[p] == 0x2e) {
            segs = 2;
            p++;
        } else if (aml[p] == 0x2f) {
            segs = aml[p + 1] & 0xff;
            p += 2;
        } else if (aml[p] == 0) {
            return p + 1;
        }
        return p + 4 * segs;
    }

    private static final int STORE_OP = 0x70;

    /**
     * Every {@code Store("literal", \NAME.PATH)} in the AML range (a byte scan, like {@link #notifies}): code
     * that sets a named object's value when it runs. At a table's top level it runs as the OS loads the table,
     * so a later table can give an object of an earlier one another value than its {@code Name} declares.
     */
    static List<StringStore> stringStores(byte[] aml, int start, int end) {
        List<StringStore> out = new ArrayList<>();
        for (int i = start; i + 2 < end; i++) {
            if ((aml[i] & 0xff) != STORE_OP || (aml[i + 1] & 0xff) != STRING_PREFIX) {
                continue;
            }
            int s = i + 2;
            int e = s;
            while (e < end && aml[e] >= 0x20 && aml[e] < 0x7f) {
                e++;
            }
            if (e >= end || aml[e] != 0) {
                continue;
            }
            String target = nameStringAt(aml, e + 1, end);
            if (target != null) {
                out.add(new StringStore(target, new String(aml, s, e - s, StandardCharsets.US_ASCII)));
            }
        }
        return out;
    }

    /** {@code Store(value, target)}; target as ASL writes it ({@code \_SB_.VCLK._HID}). */
    record StringStore(String target, String value) {
    }

    private static final int NOTIFY_OP = 0x86;

    /**
     * Every {@code Notify} in the AML range whose target is a plain name (a byte scan: a NotifyOp byte followed
     * by a well-formed NameString of printable segments, then a constant or some other TermArg).
     */
    static List<Notify> notifies(byte[] aml, int start, int end) {
        List<Notify> out = new ArrayList<>();
        for (int i = start; i + 6 < end; i++) {
            if ((aml[i] & 0xff) != NOTIFY_OP) {
                continue;
            }
            String name = nameStringAt(aml, i + 1, end);
            if (name == null) {
                continue;
            }
            int v = nameStringEnd(aml, i + 1);
            if (v >= end) {
                continue;
            }
            java.util.OptionalLong value = switch (aml[v] & 0xff) {
                case 0x00 -> java.util.OptionalLong.of(0);
                case 0x01 -> java.util.OptionalLong.of(1);
                case 0xff -> java.util.OptionalLong.of(0xffffffffL);
                case 0x0a -> v + 1 < end ? java.util.OptionalLong.of(aml[v + 1] & 0xff) : java.util.OptionalLong.empty();
                case 0x0b -> v + 2 < end ? java.util.OptionalLong.of(le(aml, v + 1, 2)) : java.util.OptionalLong.empty();
                case 0x0c -> v + 4 < end ? java.util.OptionalLong.of(le(aml, v + 1, 4)) : java.util.OptionalLong.empty();
                default -> java.util.OptionalLong.empty();
            };
            out.add(new Notify(i, name, value));
        }
        return out;
    }

    record Notify(int offset, String target, java.util.OptionalLong value) {
    }

    /** The NameString at {@code at} as ASL writes it ({@code \_SB.VCLK}), or null if it is not one. */
    private static String nameStringAt(byte[] aml, int at, int end) {
        StringBuilder sb = new StringBuilder();
        int p = at;
        while (p < end && (aml[p] == '\\' || aml[p] == '^')) {
            sb.append((char) aml[p++]);
        }
        if (p >= end) {
            return null;
        }
        int segs = 1;
        if (aml[p] == 0x2e) {
            segs = 2;
            p++;
        } else if (aml[p] == 0x2f) {
            if (p + 1 >= end) {
                return null;
            }
            segs = aml[p + 1] & 0xff;
            p += 2;
        }
        if (segs == 0 || p + 4 * segs > end) {
            return null;
        }
        for (int s = 0; s < segs; s++) {
            for (int k = 0; k < 4; k++) {
                int c = aml[p + 4 * s + k] & 0xff;
                boolean lead = k == 0;
                boolean ok = c == '_' || (c >= 'A' && c <= 'Z') || (!lead && c >= '0' && c <= '9');
                if (!ok) {
                    return null;
                }
            }
            if (s > 0) {
                sb.append('.');
            }
            sb.append(new String(aml, p + 4 * s, 4, StandardCharsets.US_ASCII));
        }
        return sb.toString();
    }

    static long le(byte[] b, int at, int width) {
        long v = 0;
        for (int k = width - 1; k >= 0; k--) {
            v = (v << 8) | (b[at + k] & 0xff);
        }
        return v;
    }
}
