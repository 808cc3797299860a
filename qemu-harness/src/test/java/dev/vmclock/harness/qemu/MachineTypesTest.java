package dev.vmclock.harness.qemu;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.vmclock.harness.ExitCode;
import dev.vmclock.harness.HarnessException;
import java.util.Set;
import org.junit.jupiter.api.Test;

/** The machine type of a cross-version hop: the newest versioned type of the requested family both QEMUs know. */
class MachineTypesTest {

    /** As QEMU 10.0.2 and 11.1.3 list them with -machine help (aliases included). */
    private static final Set<String> QEMU_10_0 = Set.of("q35", "pc", "microvm", "none", "pc-q35-9.2", "pc-q35-10.0",
            "pc-q35-2.12", "pc-i440fx-9.2", "pc-i440fx-10.0", "pc-i440fx-2.9");
    private static final Set<String> QEMU_11_1 = Set.of("q35", "pc", "microvm", "none", "pc-q35-10.0", "pc-q35-10.1",
            "pc-q35-10.2", "pc-q35-11.0", "pc-q35-11.1", "pc-i440fx-10.0", "pc-i440fx-11.1");

    @Test
    void q35HopsOnTheNewestPcQ35BothKnow() {
        assertThat(MachineTypes.newestCommon("q35", QEMU_10_0, QEMU_11_1)).isEqualTo("pc-q35-10.0");
        assertThat(MachineTypes.newestCommon("q35", QEMU_11_1, QEMU_10_0)).isEqualTo("pc-q35-10.0");
    }

    @Test
    void pcHopsOnTheNewestI440fxBothKnow() {
        assertThat(MachineTypes.newestCommon("pc", QEMU_10_0, QEMU_11_1)).isEqualTo("pc-i440fx-10.0");
    }

    @Test
    void versionsCompareAsNumbersNotText() {
        assertThat(MachineTypes.newest("pc-q35", Set.of("pc-q35-2.12", "pc-q35-9.2", "pc-q35-10.0", "pc-q35-2.9")))
                .contains("pc-q35-10.0");
        assertThat(MachineTypes.newest("pc-q35", Set.of("pc-q35-2.9", "pc-q35-2.12"))).contains("pc-q35-2.12");
    }

    @Test
    void sameVersionOnBothSidesHopsOnItsNewest() {
        assertThat(MachineTypes.newestCommon("q35", QEMU_11_1, QEMU_11_1)).isEqualTo("pc-q35-11.1");
    }

    @Test
    void aVersionedTypeBothKnowIsTakenAsGiven() {
        assertThat(MachineTypes.newestCommon("pc-q35-9.2", QEMU_10_0, Set.of("pc-q35-9.2", "pc-q35-11.1")))
                .isEqualTo("pc-q35-9.2");
    }

    @Test
    void aVersionedTypeTheDestinationLacksIsBadInput() {
        assertThatThrownBy(() -> MachineTypes.newestCommon("pc-q35-11.1", QEMU_11_1, QEMU_10_0))
                .isInstanceOfSatisfying(HarnessException.class, e -> assertThat(e.exitCode()).isEqualTo(ExitCode.USAGE))
                .hasMessageContaining("pc-q35-11.1 is not known to the destination");
    }

    @Test
    void noCommonVersionIsBadInputNamingBothNewest() {
        assertThatThrownBy(() -> MachineTypes.newestCommon("q35", Set.of("pc-q35-9.2"), Set.of("pc-q35-11.1")))
                .isInstanceOfSatisfying(HarnessException.class, e -> assertThat(e.exitCode()).isEqualTo(ExitCode.USAGE))
                .hasMessageContaining("share no pc-q35-X.Y").hasMessageContaining("pc-q35-9.2").hasMessageContaining("pc-q35-11.1");
    }

    @Test
    void unversionedFamiliesCannotHop() {
        assertThatThrownBy(() -> MachineTypes.newestCommon("microvm", QEMU_10_0, QEMU_11_1))
                .isInstanceOfSatisfying(HarnessException.class, e -> assertThat(e.exitCode()).isEqualTo(ExitCode.USAGE))
                .hasMessageContaining("microvm").hasMessageContaining("--machine q35 or pc");
    }

    @Test
    void familiesOfAliasesAndVersionedNames() {
        assertThat(MachineTypes.family("q35")).contains("pc-q35");
        assertThat(MachineTypes.family("pc")).contains("pc-i440fx");
        assertThat(MachineTypes.family("pc-i440fx-9.2")).contains("pc-i440fx");
        assertThat(MachineTypes.family("none")).isEmpty();
    }
}
