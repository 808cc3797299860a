package dev.vmclock.report.allure;

import static org.assertj.core.api.Assertions.assertThat;

import dev.vmclock.report.Report;
import java.io.Reader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.Optional;
import java.util.Properties;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Allure's Environment widget: the implementation record, each key naming its run so merged runs stay apart. */
class AllureResultsTest {

    @TempDir
    Path dir;

    @Test
    void theEnvironmentIsTheImplementationRecord() throws Exception {
        Report.Implementation impl = new Report.Implementation(new Report.Vmm("qemu", "10.0.2",
                "/usr/bin/qemu-system-x86_64", "vmclock-conformance/qemu-debian:trixie-0",
                Map.of("seabios", "1.16.3-2", "qemu-system-x86", "1:10.0.2+ds-2")), "pc-q35-10.0",
                new Report.Accelerator("tcg", "forced with --accel"), null, new Report.Host("h", "k", 2),
                new Report.Hop(new Report.Vmm("qemu", "11.1.3", "/usr/bin/qemu-system-x86_64"), "pc-q35-10.0"));
        AllureResults allure = new AllureResults(dir, impl, "good", Optional.empty());
        allure.writeEnvironment();
        Properties p = new Properties();
        try (Reader r = Files.newBufferedReader(dir.resolve("environment.properties"), StandardCharsets.UTF_8)) {
            p.load(r);
        }
        String run = " [QEMU 10.0.2 (vmclock-conformance/qemu-debian:trixie-0) -> 11.1.3, pc-q35-10.0, tcg, "
                + "reference clock good]";
        assertThat(p).containsExactlyInAnyOrderEntriesOf(Map.of(
                "vmm" + run, "QEMU 10.0.2 (/usr/bin/qemu-system-x86_64, vmclock-conformance/qemu-debian:trixie-0)",
                "details" + run, "qemu-system-x86 1:10.0.2+ds-2, seabios 1.16.3-2",
                "machine" + run, "pc-q35-10.0",
                "accelerator" + run, "tcg (forced with --accel)",
                "hop" + run, "QEMU 11.1.3 (/usr/bin/qemu-system-x86_64, local), machine pc-q35-10.0"));
        assertThat(dir.resolve("categories.json")).exists();
    }
}
