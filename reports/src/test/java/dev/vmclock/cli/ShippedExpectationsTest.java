package dev.vmclock.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.api.io.TempDir;

/**
 * The expectations shipped for Debian's QEMU hold on the real thing, stale entries counted: stock 10.0 (the host's)
 * and stock 11.1 (the default image) pass the CI gate with their files, and an expected FAIL keeps a JUnit
 * consumer green. When QEMU or the suite changes what they give, this fails and the file must follow.
 */
class ShippedExpectationsTest {

    @TempDir
    Path dir;

    @ParameterizedTest(name = "{0}")
    @CsvSource({
        "host QEMU 10.0, qemu-10.0.yaml, /usr/bin/qemu-system-x86_64, 3",
        "default QEMU 11.1 image, qemu-11.1.yaml, , 9",
    })
    void stockQemuPassesTheCiGateWithItsShippedExpectations(String what, String file, String qemu, int expectedFails)
            throws Exception {
        List<String> args = new ArrayList<>(List.of("run", "--out", dir.toString(), "--fail-on", "must,unexpected-pass",
                "--expectations", Path.of("..", "conformance", "expectations", file).toString()));
        if (qemu != null) {
            args.addAll(List.of("--qemu", qemu));
        }
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        int code = new Main(new PrintStream(out, true, StandardCharsets.UTF_8), System.err).run(args);
        assertThat(code).as(out.toString(StandardCharsets.UTF_8)).isZero();

        JsonNode gate = new ObjectMapper().readTree(dir.resolve("report.json").toFile()).path("gate_result");
        assertThat(gate.path("expectations").path("unexpected")).isEmpty();
        assertThat(gate.path("expectations").path("unexpected_pass")).isEmpty();
        assertThat(gate.path("expectations").path("entries").asInt()).isEqualTo(expectedFails);
        String junit = Files.readString(dir.resolve("junit.xml"));
        assertThat(junit).contains("failures=\"0\" errors=\"0\"").doesNotContain("<failure");
        assertThat(junit.split("skipped message=\"expected FAIL", -1)).hasSize(expectedFails + 1);
    }
}
