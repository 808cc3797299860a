package dev.vmclock.gate;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.Optional;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class ConditionTest {

    @ParameterizedTest(name = "{0} in ''{1}'': {2}")
    @CsvSource({
        "11.1.3, '11.1', true",
        "11.10.0, '11.1', false",
        "11.1.3, '>=11.1 <11.2', true",
        "11.2.0, '>=11.1 <11.2', false",
        "11.1, '>=11.1, <11.2', true",
        "10.0.2, '=10.0.2', true",
        "10.0.2, '>10.0.2', false",
        "'11.1.3 (Debian 1:11.1.3+ds-2~bpo13+1)', '11.1.3', true",
        "'unknown', '11', false",
    })
    void versionRanges(String version, String range, boolean in) {
        assertThat(Condition.inRange(version, range)).isEqualTo(in);
    }

    @ParameterizedTest(name = "{0}")
    @CsvSource({
        "machine pc-q35-* matches, pc-q35-*, pc-q35-11.1, true",
        "machine glob is anchored, q35, pc-q35-11.1, false",
        "glob inside a tag, *trixie-backports*, vmclock-conformance/qemu-debian:trixie-backports-fce782b5764b, true",
    })
    void globs(String what, String glob, String value, boolean matches) {
        Condition machine = new Condition(Optional.empty(), Optional.empty(), Optional.of(glob), Optional.empty(),
                Optional.empty());
        assertThat(machine.matches(new Subject("qemu", "11.1.3", value, "tcg", "local"))).isEqualTo(matches);
    }

    @org.junit.jupiter.api.Test
    void everyFieldMustMatchAndAnAbsentOneMatchesAnything() {
        Subject s = new Subject("qemu", "11.1.3", "q35", "tcg", "vmclock-conformance/qemu-debian:trixie-backports-1");
        Condition c = new Condition(Optional.of("QEMU"), Optional.of("11.1"), Optional.empty(), Optional.of("tcg"),
                Optional.of("*trixie-backports*"));
        assertThat(c.matches(s)).isTrue();
        assertThat(c.matches(new Subject("qemu", "11.1.3", "q35", "kvm", s.image()))).isFalse();
        assertThat(Condition.ALWAYS.matches(s)).isTrue();
        assertThatThrownBy(() -> new Condition(Optional.empty(), Optional.of(">= x"), Optional.empty(), Optional.empty(),
                Optional.empty())).hasMessageContaining("is not a version or a range");
    }
}
