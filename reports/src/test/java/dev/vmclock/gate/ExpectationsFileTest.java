package dev.vmclock.gate;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.vmclock.conformance.Verdict;
import dev.vmclock.harness.ExitCode;
import dev.vmclock.harness.HarnessException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class ExpectationsFileTest {

    @TempDir
    Path dir;

    private Path file(String yaml) throws Exception {
        return Files.writeString(dir.resolve("e.yaml"), yaml);
    }

    private static final String HEAD = "schema: vmclock-conformance/expectations/v1\n";

    @Test
    void readsEntriesWithTheFilesConditionFoldedIntoEach() throws Exception {
        ExpectationsFile f = ExpectationsFile.read(file(HEAD + """
                when: {vmm: qemu, version: "11.1"}
                expectations:
                  - clause: VRTC-OP-08
                    checks: [BufferSizeTest#headerCutShortIsEinval]
                    expected: FAIL
                    reason: a header under 8 bytes puts the device in NEEDS_RESET
                    link: https://example.org/bug/1
                    when: {machine: "pc-q35-*"}
                  - clause: VMC-FLAGS-03
                    expected: FAIL
                    reason: no TAI offset
                """), Runs.SPEC);
        assertThat(f.entries()).hasSize(2);
        Expectation first = f.entries().get(0);
        assertThat(first.checks()).containsExactly("BufferSizeTest#headerCutShortIsEinval");
        assertThat(first.expected()).isEqualTo(Verdict.FAIL);
        assertThat(first.link()).contains("https://example.org/bug/1");
        assertThat(first.line()).isEqualTo(4);
        assertThat(first.when().describe()).isEqualTo("vmm qemu, version 11.1, machine pc-q35-*");
        assertThat(f.entries().get(1).wholeClause()).isTrue();
        assertThat(f.entries().get(1).when().describe()).isEqualTo("vmm qemu, version 11.1");
    }

    @ParameterizedTest(name = "{0}")
    @CsvSource(delimiter = '|', value = {
        "unknown clause|  - {clause: VMC-NOPE-01, expected: FAIL, reason: x}|e.yaml:3:12: clause VMC-NOPE-01 is not in spec-map.md",
        "check of another clause|  - {clause: VRTC-OP-08, checks: [FlagsTest#taiOffsetValidIsSet], expected: FAIL, reason: x}|check FlagsTest#taiOffsetValidIsSet does not check VRTC-OP-08",
        "no reason|  - {clause: VMC-FLAGS-03, expected: FAIL}|e.yaml:3:3: the entry has no reason:",
        "empty reason|  - {clause: VMC-FLAGS-03, expected: FAIL, reason: ' '}|has an empty reason",
        "PASS|  - {clause: VMC-FLAGS-03, expected: PASS, reason: x}|expected: PASS needs no entry",
        "unknown verdict|  - {clause: VMC-FLAGS-03, expected: SKIP, reason: x}|expected: must be FAIL, ERROR or NOT_APPLICABLE",
        "unknown key|  - {clause: VMC-FLAGS-03, expect: FAIL, reason: x}|unknown key 'expect'",
        "bad version|  - {clause: VMC-FLAGS-03, expected: FAIL, reason: x, when: {version: 'eleven'}}|version 'eleven' is not a version",
        "syntax|  - {clause: VMC-FLAGS-03, expected: FAIL|e.yaml:4:1:",
    })
    void badEntriesAreOneLineNamingWhereAndTheFix(String what, String entry, String message) throws Exception {
        Path f = file(HEAD + "expectations:\n" + entry + "\n");
        assertThatThrownBy(() -> ExpectationsFile.read(f, Runs.SPEC)).isInstanceOf(HarnessException.class)
                .satisfies(e -> assertThat(((HarnessException) e).exitCode()).isEqualTo(ExitCode.USAGE))
                .hasMessageContaining(message).satisfies(e -> assertThat(e.getMessage()).doesNotContain("\n"));
    }

    @Test
    void duplicateAndContradictoryEntriesAreRefused() throws Exception {
        String entry = "  - {clause: VRTC-OP-08, checks: [BufferSizeTest#headerCutShortIsEinval], expected: %s, reason: x}\n";
        Path dup = file(HEAD + "expectations:\n" + entry.formatted("FAIL") + entry.formatted("FAIL"));
        assertThatThrownBy(() -> ExpectationsFile.read(dup, Runs.SPEC))
                .hasMessageContaining("e.yaml:4: the entry for VRTC-OP-08 BufferSizeTest#headerCutShortIsEinval duplicates"
                        + " the one on line 3: keep one");
        Path contra = file(HEAD + "expectations:\n" + entry.formatted("FAIL") + entry.formatted("ERROR"));
        assertThatThrownBy(() -> ExpectationsFile.read(contra, Runs.SPEC)).hasMessageContaining("contradicts");
    }

    @Test
    void aMissingFileOrAnotherSchemaIsBadInput() throws Exception {
        assertThatThrownBy(() -> ExpectationsFile.read(dir.resolve("none.yaml"), Runs.SPEC))
                .hasMessageContaining("none.yaml is not a readable file");
        assertThatThrownBy(() -> ExpectationsFile.read(file("schema: other\nexpectations: []\n"), Runs.SPEC))
                .hasMessageContaining("e.yaml:1:9: the file must start with schema: vmclock-conformance/expectations/v1");
    }

    @Test
    void theShippedFilesOfDebiansQemuAreValid() {
        for (String f : new String[] {"qemu-10.0.yaml", "qemu-11.1.yaml"}) {
            ExpectationsFile e = ExpectationsFile.read(Path.of("..", "conformance", "expectations", f), Runs.SPEC);
            assertThat(e.entries()).isNotEmpty().allSatisfy(x -> assertThat(x.checks()).isNotEmpty());
        }
    }
}
