package dev.vmclock.harness.page;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;

/**
 * The fields of {@code struct vmclock_abi} with their offsets and widths, little-endian throughout.
 * The generation counter is at 0x68 as in the Linux header (UAPI.13 says 0x64: see the errata).
 */
public enum PageField {
    MAGIC(0x00, 4, true),
    SIZE(0x04, 4, true),
    VERSION(0x08, 2, true),
    COUNTER_ID(0x0a, 1, true),
    TIME_TYPE(0x0b, 1, true),
    SEQ_COUNT(0x0c, 4, false),
    DISRUPTION_MARKER(0x10, 8, false),
    FLAGS(0x18, 8, false),
    PAD(0x20, 2, false),
    CLOCK_STATUS(0x22, 1, false),
    LEAP_SECOND_SMEARING_HINT(0x23, 1, false),
    TAI_OFFSET_SEC(0x24, 2, false),
    LEAP_INDICATOR(0x26, 1, false),
    COUNTER_PERIOD_SHIFT(0x27, 1, false),
    COUNTER_VALUE(0x28, 8, false),
    COUNTER_PERIOD_FRAC_SEC(0x30, 8, false),
    COUNTER_PERIOD_ESTERROR_RATE_FRAC_SEC(0x38, 8, false),
    COUNTER_PERIOD_MAXERROR_RATE_FRAC_SEC(0x40, 8, false),
    TIME_SEC(0x48, 8, false),
    TIME_FRAC_SEC(0x50, 8, false),
    TIME_ESTERROR_NANOSEC(0x58, 8, false),
    TIME_MAXERROR_NANOSEC(0x60, 8, false),
    VM_GENERATION_COUNTER(0x68, 8, false);

    /** Bytes covered by the fields defined so far; later fields are announced by new flags. */
    public static final int STRUCT_SIZE = 0x70;

    private final int offset;
    private final int width;
    private final boolean constant;

    PageField(int offset, int width, boolean constant) {
        this.offset = offset;
        this.width = width;
        this.constant = constant;
    }

    public int offset() {
        return offset;
    }

    public int width() {
        return width;
    }

    /** UAPI.13: the fields up to and including {@code time_type} never change for the device's lifetime. */
    public boolean isConstant() {
        return constant;
    }

    /** The C name, as in the header. */
    public String cName() {
        return name().toLowerCase(java.util.Locale.ROOT);
    }

    /** The raw field as an unsigned value (a u64 comes back as its two's-complement long). */
    public long read(byte[] page) {
        ByteBuffer b = ByteBuffer.wrap(page).order(ByteOrder.LITTLE_ENDIAN);
        return switch (width) {
            case 1 -> Byte.toUnsignedLong(b.get(offset));
            case 2 -> Short.toUnsignedLong(b.getShort(offset));
            case 4 -> Integer.toUnsignedLong(b.getInt(offset));
            case 8 -> b.getLong(offset);
            default -> throw new AssertionError(width);
        };
    }

    /** Writes {@code value} into {@code page} (for crafted pages and fault injection). */
    public void write(byte[] page, long value) {
        ByteBuffer b = ByteBuffer.wrap(page).order(ByteOrder.LITTLE_ENDIAN);
        switch (width) {
            case 1 -> b.put(offset, (byte) value);
            case 2 -> b.putShort(offset, (short) value);
            case 4 -> b.putInt(offset, (int) value);
            case 8 -> b.putLong(offset, value);
            default -> throw new AssertionError(width);
        }
    }

    /** The value as the report shows it: unsigned decimal, hex for magic and flags. */
    public String format(byte[] page) {
        long v = read(page);
        return switch (this) {
            case MAGIC, FLAGS -> "0x" + Long.toHexString(v);
            case TAI_OFFSET_SEC -> Short.toString((short) v);
            default -> Long.toUnsignedString(v);
        };
    }
}
