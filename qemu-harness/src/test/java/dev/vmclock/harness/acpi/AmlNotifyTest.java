package dev.vmclock.harness.acpi;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.OptionalLong;
import org.junit.jupiter.api.Test;

/** Finding Notify(target, value) in AML bytes: the observation behind VMC-NOTIFY-05. */
class AmlNotifyTest {

    private static byte[] aml(Object... parts) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        for (Object p : parts) {
            if (p instanceof String s) {
                out.writeBytes(s.getBytes(StandardCharsets.US_ASCII));
            } else {
                out.write((Integer) p);
            }
        }
        return out.toByteArray();
    }

    @Test
    void findsNotifiesWithTheirTargetsAndValues() {
        byte[] b = aml(
                0x86, "\\", 0x2e, "_SB_VCLK", 0x0a, 0x80,   // Notify(\_SB.VCLK, 0x80)
                0x86, "VCLK", 0x01,                         // Notify(VCLK, One)
                0x86, "^CPU0", 0x68,                        // Notify(^CPU0, Arg0)
                0x86, 0x07, 0x33, 0x10);                    // a 0x86 byte that starts no name
        List<Aml.Notify> n = Aml.notifies(b, 0, b.length);
        assertThat(n).extracting(Aml.Notify::target).containsExactly("\\_SB_.VCLK", "VCLK", "^CPU0");
        assertThat(n).extracting(Aml.Notify::value)
                .containsExactly(OptionalLong.of(0x80), OptionalLong.of(1), OptionalLong.empty());
        AmlNotify a = new AmlNotify("SSDT/X", 0, n.get(0).target(), n.get(0).value());
        assertThat(a.targetSegment()).isEqualTo("VCLK");
        assertThat(new AmlNotify("SSDT/X", 0, "^CPU0", OptionalLong.empty()).targetSegment()).isEqualTo("CPU0");
    }

    @Test
    void noNotifyInPlainData() {
        byte[] b = aml(0x08, "_HID", 0x0d, "AMZNC10C", 0x00);
        assertThat(Aml.notifies(b, 0, b.length)).isEmpty();
    }
}
