package dev.vmclock.harness.page;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * One observation of the VMClock page, decoded field by field from its little-endian bytes.
 * Nothing is validated here: a conformance suite must be able to decode a broken page and say what is
 * wrong with it. The raw bytes are kept as evidence.
 *
 * <p>u32 and u64 fields are carried in Java {@code long}s; u64 values above 2^63 appear negative and
 * must be compared with {@link Long#compareUnsigned}.
 */
public record VmclockPage(
        long magic,
        long size,
        int version,
        CounterId counterId,
        TimeType timeType,
        long seqCount,
        long disruptionMarker,
        Flags flags,
        int pad,
        ClockStatus clockStatus,
        SmearingHint leapSecondSmearingHint,
        short taiOffsetSec,
        LeapIndicator leapIndicator,
        int counterPeriodShift,
        long counterValue,
        long counterPeriodFracSec,
        long counterPeriodEsterrorRateFracSec,
        long counterPeriodMaxerrorRateFracSec,
        long timeSec,
        long timeFracSec,
        long timeEsterrorNanosec,
        long timeMaxerrorNanosec,
        long vmGenerationCounter,
        byte[] raw) {

    /** "VCLK" read as a little-endian u32. */
    public static final long MAGIC = 0x4b4c4356L;
    public static final int VERSION = 1;

    public VmclockPage {
        raw = raw.clone();
    }

    public static VmclockPage decode(byte[] bytes) {
        if (bytes.length < PageField.STRUCT_SIZE) {
            throw new PageFormatException("a vmclock_abi page needs at least " + PageField.STRUCT_SIZE
                    + " bytes, got " + bytes.length);
        }
        return new VmclockPage(
                PageField.MAGIC.read(bytes),
                PageField.SIZE.read(bytes),
                (int) PageField.VERSION.read(bytes),
                new CounterId((int) PageField.COUNTER_ID.read(bytes)),
                new TimeType((int) PageField.TIME_TYPE.read(bytes)),
                PageField.SEQ_COUNT.read(bytes),
                PageField.DISRUPTION_MARKER.read(bytes),
                new Flags(PageField.FLAGS.read(bytes)),
                (int) PageField.PAD.read(bytes),
                new ClockStatus((int) PageField.CLOCK_STATUS.read(bytes)),
                new SmearingHint((int) PageField.LEAP_SECOND_SMEARING_HINT.read(bytes)),
                (short) PageField.TAI_OFFSET_SEC.read(bytes),
                new LeapIndicator((int) PageField.LEAP_INDICATOR.read(bytes)),
                (int) PageField.COUNTER_PERIOD_SHIFT.read(bytes),
                PageField.COUNTER_VALUE.read(bytes),
                PageField.COUNTER_PERIOD_FRAC_SEC.read(bytes),
                PageField.COUNTER_PERIOD_ESTERROR_RATE_FRAC_SEC.read(bytes),
                PageField.COUNTER_PERIOD_MAXERROR_RATE_FRAC_SEC.read(bytes),
                PageField.TIME_SEC.read(bytes),
                PageField.TIME_FRAC_SEC.read(bytes),
                PageField.TIME_ESTERROR_NANOSEC.read(bytes),
                PageField.TIME_MAXERROR_NANOSEC.read(bytes),
                PageField.VM_GENERATION_COUNTER.read(bytes),
                bytes);
    }

    @Override
    public byte[] raw() {
        return raw.clone();
    }

    public long field(PageField field) {
        return field.read(raw);
    }

    public boolean magicIsValid() {
        return magic == MAGIC;
    }

    /** An odd seq_count means the hypervisor is in the middle of an update. */
    public boolean updateInProgress() {
        return (seqCount & 1) != 0;
    }

    /** Fields whose value differs from {@code other}, in page order. */
    public List<PageField> changedFields(VmclockPage other) {
        List<PageField> changed = new ArrayList<>();
        for (PageField f : PageField.values()) {
            if (f.read(raw) != f.read(other.raw)) {
                changed.add(f);
            }
        }
        return changed;
    }

    /** True when a byte beyond the defined structure but inside both buffers differs. */
    public boolean tailDiffers(VmclockPage other) {
        int end = Math.min(raw.length, other.raw.length);
        return end > PageField.STRUCT_SIZE
                && !Arrays.equals(raw, PageField.STRUCT_SIZE, end, other.raw, PageField.STRUCT_SIZE, end);
    }

    /** Field name → display value, in page order (for the CLI, JSON and reports). */
    public Map<String, String> describe() {
        Map<String, String> out = new LinkedHashMap<>();
        for (PageField f : PageField.values()) {
            String v = f.format(raw);
            String label = switch (f) {
                case COUNTER_ID -> counterId.label();
                case TIME_TYPE -> timeType.label();
                case FLAGS -> flags.toString();
                case CLOCK_STATUS -> clockStatus.label();
                case LEAP_SECOND_SMEARING_HINT -> leapSecondSmearingHint.label();
                case LEAP_INDICATOR -> leapIndicator.label();
                case MAGIC -> magicIsValid() ? "VCLK" : null;
                default -> null;
            };
            out.put(f.cName(), label == null ? v : v + " (" + label + ")");
        }
        return out;
    }

    /** The first {@code length} bytes as lowercase hex, for evidence. */
    public String hex(int length) {
        return HexFormat.of().formatHex(raw, 0, Math.min(length, raw.length));
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof VmclockPage p && Arrays.equals(raw, p.raw);
    }

    @Override
    public int hashCode() {
        return Arrays.hashCode(raw);
    }

    @Override
    public String toString() {
        return "VmclockPage" + describe();
    }
}
