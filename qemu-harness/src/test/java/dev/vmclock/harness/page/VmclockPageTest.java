package dev.vmclock.harness.page;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/** Decoding of crafted pages: every field at its offset, every enum, unknown values, short buffers. */
class VmclockPageTest {

    /** A page with a distinct value in every field. */
    static byte[] crafted() {
        byte[] p = new byte[4096];
        PageField.MAGIC.write(p, VmclockPage.MAGIC);
        PageField.SIZE.write(p, 4096);
        PageField.VERSION.write(p, 1);
        PageField.COUNTER_ID.write(p, 1);
        PageField.TIME_TYPE.write(p, 1);
        PageField.SEQ_COUNT.write(p, 42);
        PageField.DISRUPTION_MARKER.write(p, 0x1122334455667788L);
        PageField.FLAGS.write(p, Flag.TAI_OFFSET_VALID.mask() | Flag.VM_GEN_COUNTER_PRESENT.mask()
                | Flag.NOTIFICATION_PRESENT.mask() | (1L << 40));
        PageField.PAD.write(p, 0xbeef);
        PageField.CLOCK_STATUS.write(p, 2);
        PageField.LEAP_SECOND_SMEARING_HINT.write(p, 1);
        PageField.TAI_OFFSET_SEC.write(p, -37);
        PageField.LEAP_INDICATOR.write(p, 4);
        PageField.COUNTER_PERIOD_SHIFT.write(p, 29);
        PageField.COUNTER_VALUE.write(p, 0xfedcba9876543210L);
        PageField.COUNTER_PERIOD_FRAC_SEC.write(p, 0x89705f4136b4a597L);
        PageField.COUNTER_PERIOD_ESTERROR_RATE_FRAC_SEC.write(p, 3);
        PageField.COUNTER_PERIOD_MAXERROR_RATE_FRAC_SEC.write(p, 4);
        PageField.TIME_SEC.write(p, 1_763_769_600L);
        PageField.TIME_FRAC_SEC.write(p, 1L << 63);
        PageField.TIME_ESTERROR_NANOSEC.write(p, 500);
        PageField.TIME_MAXERROR_NANOSEC.write(p, 1000);
        PageField.VM_GENERATION_COUNTER.write(p, 7);
        return p;
    }

    @Test
    void decodesEveryFieldAtItsOffset() {
        VmclockPage page = VmclockPage.decode(crafted());
        assertThat(page.magicIsValid()).isTrue();
        assertThat(page.size()).isEqualTo(4096);
        assertThat(page.version()).isEqualTo(1);
        assertThat(page.counterId()).isEqualTo(CounterId.X86_TSC);
        assertThat(page.timeType()).isEqualTo(TimeType.TAI);
        assertThat(page.seqCount()).isEqualTo(42);
        assertThat(page.disruptionMarker()).isEqualTo(0x1122334455667788L);
        assertThat(page.flags().known()).containsExactlyInAnyOrder(Flag.TAI_OFFSET_VALID, Flag.VM_GEN_COUNTER_PRESENT,
                Flag.NOTIFICATION_PRESENT);
        assertThat(page.flags().unknownBits()).isEqualTo(1L << 40);
        assertThat(page.pad()).isEqualTo(0xbeef);
        assertThat(page.clockStatus()).isEqualTo(ClockStatus.SYNCHRONIZED);
        assertThat(page.leapSecondSmearingHint()).isEqualTo(SmearingHint.NOON_LINEAR);
        assertThat(page.taiOffsetSec()).isEqualTo((short) -37);
        assertThat(page.leapIndicator()).isEqualTo(LeapIndicator.POST_POS);
        assertThat(page.counterPeriodShift()).isEqualTo(29);
        assertThat(Long.toUnsignedString(page.counterValue())).isEqualTo("18364758544493064720");
        assertThat(page.counterPeriodFracSec()).isEqualTo(0x89705f4136b4a597L);
        assertThat(page.counterPeriodEsterrorRateFracSec()).isEqualTo(3);
        assertThat(page.counterPeriodMaxerrorRateFracSec()).isEqualTo(4);
        assertThat(page.timeSec()).isEqualTo(1_763_769_600L);
        assertThat(page.timeFracSec()).isEqualTo(Long.MIN_VALUE);
        assertThat(page.timeEsterrorNanosec()).isEqualTo(500);
        assertThat(page.timeMaxerrorNanosec()).isEqualTo(1000);
        assertThat(page.vmGenerationCounter()).isEqualTo(7);
    }

    @Test
    void generationCounterIsAt0x68NotThe0x64OfUapi13() {
        byte[] p = new byte[PageField.STRUCT_SIZE];
        p[0x68] = 9;
        assertThat(VmclockPage.decode(p).vmGenerationCounter()).isEqualTo(9);
        assertThat(VmclockPage.decode(p).timeMaxerrorNanosec()).isZero();
        assertThat(PageField.STRUCT_SIZE).isEqualTo(0x70);
    }

    @Test
    void fieldsAreLittleEndian() {
        byte[] p = new byte[PageField.STRUCT_SIZE];
        p[0] = 'V';
        p[1] = 'C';
        p[2] = 'L';
        p[3] = 'K';
        assertThat(VmclockPage.decode(p).magicIsValid()).isTrue();
    }

    @Test
    void unknownEnumValuesAreKeptAndLabelled() {
        byte[] p = crafted();
        PageField.COUNTER_ID.write(p, 0x42);
        PageField.TIME_TYPE.write(p, 3);
        PageField.CLOCK_STATUS.write(p, 9);
        PageField.LEAP_SECOND_SMEARING_HINT.write(p, 7);
        PageField.LEAP_INDICATOR.write(p, 0xff);
        VmclockPage page = VmclockPage.decode(p);
        assertThat(page.counterId().value()).isEqualTo(0x42);
        assertThat(page.counterId().isDefined()).isFalse();
        assertThat(page.counterId().label()).isEqualTo("UNKNOWN(0x42)");
        assertThat(page.timeType().isSmeared()).isTrue();
        assertThat(page.timeType().label()).isEqualTo("INVALID_SMEARED");
        assertThat(page.clockStatus().label()).isEqualTo("UNKNOWN(0x09)");
        assertThat(page.leapSecondSmearingHint().isDefined()).isFalse();
        assertThat(page.leapIndicator().label()).isEqualTo("UNKNOWN(0xff)");
    }

    @Test
    void definedValuesHaveTheSpecNames() {
        assertThat(new CounterId(0).label()).isEqualTo("ARM_VCNT");
        assertThat(new CounterId(0xff)).isEqualTo(CounterId.INVALID);
        assertThat(TimeType.MONOTONIC.label()).isEqualTo("MONOTONIC");
        assertThat(ClockStatus.UNRELIABLE.label()).isEqualTo("UNRELIABLE");
        assertThat(ClockStatus.FREERUNNING.parametersReliable()).isTrue();
        assertThat(ClockStatus.INITIALIZING.parametersReliable()).isFalse();
        assertThat(SmearingHint.UTC_SLS.label()).isEqualTo("UTC_SLS");
        assertThat(LeapIndicator.POS.label()).isEqualTo("POS");
    }

    @ParameterizedTest
    @EnumSource(Flag.class)
    void eachFlagDecodesAloneAtItsHeaderBit(Flag flag) {
        byte[] p = new byte[PageField.STRUCT_SIZE];
        PageField.FLAGS.write(p, 1L << flag.bit());
        assertThat(VmclockPage.decode(p).flags().known()).containsExactly(flag);
        assertThat(VmclockPage.decode(p).flags().unknownBits()).isZero();
    }

    @Test
    void flagBitsFollowTheLinuxHeader() {
        assertThat(Flag.TIME_MONOTONIC.bit()).isEqualTo(7);
        assertThat(Flag.VM_GEN_COUNTER_PRESENT.bit()).isEqualTo(8);
        assertThat(Flag.NOTIFICATION_PRESENT.bit()).isEqualTo(9);
    }

    @Test
    void shortBuffersAreRejected() {
        assertThatThrownBy(() -> VmclockPage.decode(new byte[PageField.STRUCT_SIZE - 1]))
                .isInstanceOf(PageFormatException.class).hasMessageContaining("112");
        assertThat(VmclockPage.decode(new byte[PageField.STRUCT_SIZE]).raw()).hasSize(PageField.STRUCT_SIZE);
    }

    @Test
    void oddSeqCountMeansUpdateInProgress() {
        byte[] p = crafted();
        PageField.SEQ_COUNT.write(p, 43);
        assertThat(VmclockPage.decode(p).updateInProgress()).isTrue();
        assertThat(VmclockPage.decode(crafted()).updateInProgress()).isFalse();
    }

    @Test
    void changedFieldsNamesWhatDiffers() {
        byte[] a = crafted();
        byte[] b = crafted();
        PageField.SEQ_COUNT.write(b, 44);
        PageField.DISRUPTION_MARKER.write(b, 1);
        b[0x200] = 1;
        VmclockPage before = VmclockPage.decode(a);
        VmclockPage after = VmclockPage.decode(b);
        assertThat(before.changedFields(after)).containsExactly(PageField.SEQ_COUNT, PageField.DISRUPTION_MARKER);
        assertThat(before.tailDiffers(after)).isTrue();
    }

    @Test
    void rawBytesAreDefensivelyCopied() {
        byte[] p = crafted();
        VmclockPage page = VmclockPage.decode(p);
        p[0] = 0;
        page.raw()[0] = 0;
        assertThat(page.magicIsValid()).isTrue();
    }

    @Test
    void describeListsFieldsInPageOrderWithLabels() {
        assertThat(VmclockPage.decode(crafted()).describe())
                .containsEntry("magic", "0x4b4c4356 (VCLK)")
                .containsEntry("counter_id", "1 (X86_TSC)")
                .containsEntry("tai_offset_sec", "-37")
                .containsEntry("vm_generation_counter", "7")
                .hasSize(PageField.values().length);
    }
}
