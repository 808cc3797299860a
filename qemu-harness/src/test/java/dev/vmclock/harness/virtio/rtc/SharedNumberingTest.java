package dev.vmclock.harness.virtio.rtc;

import static org.assertj.core.api.Assertions.assertThat;

import dev.vmclock.harness.page.CounterId;
import dev.vmclock.harness.page.SmearingHint;
import dev.vmclock.harness.page.TimeType;
import java.util.ArrayList;
import java.util.List;
import java.util.function.IntFunction;
import org.junit.jupiter.api.Test;

/**
 * VMClock borrows virtio-rtc's numbering (vmclock-abi.h: counter_id "matches VIRTIO_RTC_COUNTER_xxx",
 * time_type and the smearing hint the clock types and smearing variants). Each VMClock definition, as the
 * suite types it from UAPI.13 v1.1 and the header, side by side with the virtio-rtc one as typed from the
 * virtio v1.4 RTC section: where they disagree is exactly what spec-map.md's Errata 15 records.
 */
class SharedNumberingTest {

    private record Definition(String field, int value, String vmclock, String virtioRtc) {
        boolean agrees() {
            return vmclock.equals(virtioRtc);
        }

        @Override
        public String toString() {
            return field + " " + value + ": VMClock " + vmclock + ", virtio-rtc " + virtioRtc;
        }
    }

    private static List<Definition> sideBySide(String field, int[] values, IntFunction<String> vmclock,
                                               IntFunction<String> virtioRtc) {
        List<Definition> d = new ArrayList<>();
        for (int v : values) {
            d.add(new Definition(field, v, vmclock.apply(v), virtioRtc.apply(v)));
        }
        return d;
    }

    private static String clockType(int v) {
        return ClockType.of(v).map(Enum::name).orElse("undefined");
    }

    private static String hwCounter(int v) {
        for (HwCounter c : HwCounter.values()) {
            if (c.code() == v) {
                return c.name();
            }
        }
        return "undefined";
    }

    private static String smearing(int v) {
        for (SmearingVariant s : SmearingVariant.values()) {
            if (s.code() == v) {
                return s.name();
            }
        }
        return "undefined";
    }

    /** VMClock's own names for the same meaning, where only the spelling differs. */
    private static String sameMeaning(String vmclockName) {
        return vmclockName.equals("ARM_VCNT") ? "ARM_VCT" : vmclockName;
    }

    @Test
    void disagreementsAreExactlyTheRecordedErrata() {
        List<Definition> all = new ArrayList<>();
        all.addAll(sideBySide("counter_id / hw_counter", new int[] {0x00, 0x01, 0xff},
                v -> sameMeaning(new CounterId(v).label()), SharedNumberingTest::hwCounter));
        all.addAll(sideBySide("time_type / clock type", new int[] {0, 1, 2, 3, 4},
                v -> new TimeType(v).label(), SharedNumberingTest::clockType));
        all.addAll(sideBySide("leap_second_smearing_hint / smearing variant", new int[] {0, 1, 2},
                v -> new SmearingHint(v).label(), SharedNumberingTest::smearing));

        assertThat(all).filteredOn(Definition::agrees).extracting(Definition::value, Definition::vmclock)
                .as("shared: the counters, UTC/TAI/MONOTONIC, the two smearing algorithms").hasSize(8);
        assertThat(all).filteredOn(d -> !d.agrees()).map(Definition::toString).as("Errata 15").containsExactly(
                // v1.1 reserves 3 and 4 (the header calls them INVALID_*); virtio-rtc defines smeared UTC there.
                "time_type / clock type 3: VMClock INVALID_SMEARED, virtio-rtc UTC_SMEARED",
                "time_type / clock type 4: VMClock INVALID_MAYBE_SMEARED, virtio-rtc UTC_MAYBE_SMEARED",
                // 0 is "no smearing" for VMClock, "not specified" for virtio-rtc.
                "leap_second_smearing_hint / smearing variant 0: VMClock STRICT, virtio-rtc UNSPECIFIED");
    }
}
