package dev.vmclock.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.vmclock.report.ReportJson;
import dev.vmclock.report.ReportSchemaTest;
import dev.vmclock.report.ReportV1Test;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * The gate's commands: bad input is one line and exit 2 before anything starts; and the patch gate end to end on
 * stock QEMU, two runs whose difference is a known fault (the reference clock "time-off", which FAILs exactly
 * VMC-STATUS-02 and VMC-ERR-02, as ReferenceClockTest shows).
 */
class GateCommandLineTest {

    private static final String HOST_QEMU = "/usr/bin/qemu-system-x86_64";

    @TempDir
    Path dir;

    private record Result(int code, String out, String err) {
    }

    private static Result run(String... args) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        int code = new Main(new PrintStream(out, true, StandardCharsets.UTF_8),
                new PrintStream(err, true, StandardCharsets.UTF_8)).run(List.of(args));
        return new Result(code, out.toString(StandardCharsets.UTF_8), err.toString(StandardCharsets.UTF_8));
    }

    @ParameterizedTest(name = "{0}")
    @CsvSource(delimiter = '|', value = {
        "missing expectations file|run --expectations NOFILE|none.yaml is not a readable file",
        "baseline without a report|run --baseline EMPTY|has no report.json: pass a directory written by",
        "unknown --fail-on value|run --fail-on sometimes|--fail-on takes must|should[,unexpected-pass], not 'sometimes'",
        "report --gate with one run|report --gate EMPTY|report --gate takes two RUN_DIRs",
        "expectations without an action|expectations frobnicate|expectations takes the action write",
        "expectations write without a run|expectations write|expectations write needs a RUN_DIR",
        "--without an unknown capability|run --without SNAPSHOT,TELEPORT|unknown capability 'TELEPORT': give one or more of HOST_MEMORY",
    })
    void badInputIsOneLineAndExitTwoBeforeAnythingStarts(String what, String args, String message) throws Exception {
        Path empty = Files.createDirectories(dir.resolve("empty"));
        Path out = dir.resolve("out");
        List<String> argv = new ArrayList<>();
        for (String a : args.split(" ")) {
            argv.add(a.replace("NOFILE", dir.resolve("none.yaml").toString()).replace("EMPTY", empty.toString()));
        }
        if (argv.get(0).equals("run")) {
            argv.addAll(List.of("--qemu", HOST_QEMU, "--out", out.toString()));
        }
        Result r = run(argv.toArray(String[]::new));
        assertThat(r.code()).as(r.err()).isEqualTo(2);
        assertThat(r.err().strip()).contains(message).doesNotContain("\n");
        assertThat(out).as("nothing started, no output written").doesNotExist();
    }

    @Test
    void aV1BaselineGatesAV2RunOffline() throws Exception {
        Path v1 = ReportV1Test.copyInto(dir.resolve("v1"));
        // The same run as v2, one check worse: written by this version from the v1 report.
        ObjectNode now = (ObjectNode) new ObjectMapper().readTree(Files.readString(
                ReportJson.write(ReportJson.read(v1), Files.createDirectories(dir.resolve("v2")))));
        assertThat(now.path("schema").asText()).isEqualTo("vmclock-conformance/report/v2");
        ObjectNode op05 = (ObjectNode) now.path("clauses").get(2);
        assertThat(op05.path("id").asText()).isEqualTo("VRTC-OP-05");
        op05.put("verdict", "FAIL");
        ((ObjectNode) op05.path("tests").get(0)).put("verdict", "FAIL");
        Files.writeString(dir.resolve("v2/report.json"), now.toString());

        Result gate = run("report", "--gate", v1.toString(), dir.resolve("v2").toString());
        assertThat(gate.code()).as(gate.out() + gate.err()).isEqualTo(1);
        assertThat(gate.out()).contains("worse      VRTC-OP-05").contains("breaking the gate: VRTC-OP-05");
        Result same = run("report", "--gate", v1.toString(), v1.toString());
        assertThat(same.code()).as(same.out() + same.err()).isZero();

        Path expectations = dir.resolve("expected.yaml");
        Result written = run("expectations", "write", v1.toString(), "--out", expectations.toString());
        assertThat(written.code()).as(written.err()).isZero();
        assertThat(Files.readString(expectations)).startsWith("# Expected results of qemu 10.0.2, pc-q35-10.0, tcg, "
                + "vmclock-conformance/qemu-debian:trixie-0").contains("clause: VRTC-OP-08");
    }

    @Test
    void thePatchGateCatchesTheKnownFaultAndNothingElse() throws Exception {
        Path master = dir.resolve("master");
        Path patched = dir.resolve("patched");
        Path expectations = dir.resolve("expected.yaml");
        Result base = run("run", "--qemu", HOST_QEMU, "--select", "STATUS,ERR", "--reference-clock", "good",
                "--out", master.toString());
        assertThat(base.code()).as(base.out() + base.err()).isZero();
        Result written = run("expectations", "write", master.toString(), "--out", expectations.toString());
        assertThat(written.code()).as(written.err()).isZero();

        // The patched build: the same selection with a known fault, judged against master and master's expectations.
        Result judged = run("run", "--qemu", HOST_QEMU, "--select", "STATUS,ERR", "--reference-clock", "time-off",
                "--baseline", master.toString(), "--expectations", expectations.toString(), "--out", patched.toString());
        assertThat(judged.code()).as(judged.out() + judged.err()).isEqualTo(1);
        JsonNode gate = new ObjectMapper().readTree(patched.resolve("report.json").toFile()).path("gate_result");
        assertThat(ReportSchemaTest.load().validate(new ObjectMapper().readTree(patched.resolve("report.json").toFile())))
                .isEmpty();
        assertThat(gate.path("failing")).extracting(JsonNode::asText).containsExactly("VMC-STATUS-02", "VMC-ERR-02");
        assertThat(gate.path("baseline").path("worse")).extracting(JsonNode::asText)
                .allSatisfy(w -> assertThat(w).endsWith(": PASS -> FAIL"))
                .extracting(w -> w.split(" ")[0]).containsExactly("VMC-STATUS-02", "VMC-ERR-02");
        assertThat(gate.path("expectations").path("unexpected")).extracting(JsonNode::asText)
                .extracting(w -> w.split(" ")[0]).containsExactly("VMC-STATUS-02", "VMC-ERR-02");
        assertThat(judged.out()).contains("UNEXPECTED").contains("worse      VMC-STATUS-02");

        // The same judgement from the two reports alone; and master against itself holds.
        Result offline = run("report", "--gate", master.toString(), patched.toString());
        assertThat(offline.code()).isEqualTo(1);
        assertThat(offline.out()).contains("breaking the gate: VMC-STATUS-02, VMC-ERR-02");
        Result same = run("report", "--gate", master.toString(), master.resolve("report.json").toString(),
                "--expectations", expectations.toString(), "--fail-on", "must,unexpected-pass");
        assertThat(same.code()).as(same.out()).isZero();
        String junit = Files.readString(patched.resolve("junit.xml"));
        assertThat(junit).contains("type=\"FAIL MUST\"");
    }
}
