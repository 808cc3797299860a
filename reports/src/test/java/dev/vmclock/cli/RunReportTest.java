package dev.vmclock.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.vmclock.report.ReportSchemaTest;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * End to end against stock QEMU: {@code run} on two clauses (one PASS, one SHOULD FAIL with a page as
 * evidence) writes a report.json the schema accepts and an index.html next to it.
 */
class RunReportTest {

    @Test
    void runWritesASchemaValidReportAndItsPage(@TempDir Path dir) throws Exception {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        int code = new Main(new PrintStream(out, true, StandardCharsets.UTF_8), new PrintStream(err, true, StandardCharsets.UTF_8))
                .run(List.of("run", "--select", "VMC-LAYOUT-01,VMC-FLAGS-03", "--out", dir.toString()));
        assertThat(code).as("exit code; stderr: %s", err).isZero();

        JsonNode doc = new ObjectMapper().readTree(dir.resolve("report.json").toFile());
        assertThat(ReportSchemaTest.load().validate(doc)).isEmpty();
        assertThat(doc.path("run").path("selection")).extracting(JsonNode::asText)
                .containsExactly("VMC-FLAGS-03", "VMC-LAYOUT-01");
        assertThat(doc.path("run").path("suite_version").asText()).isNotEqualTo("unknown");
        assertThat(doc.path("gate_result").path("holds").asBoolean()).isTrue();
        assertThat(doc.path("totals").path("by_strength").path("SHOULD").path("FAIL").asInt()).isEqualTo(1);
        JsonNode flags = doc.path("clauses").findParents("id").stream()
                .filter(c -> c.path("id").asText().equals("VMC-FLAGS-03")).findFirst().orElseThrow();
        assertThat(flags.path("verdict").asText()).isEqualTo("FAIL");
        JsonNode test = flags.path("tests").get(0);
        assertThat(test.path("evidence_dir").asText()).startsWith("evidence/");
        assertThat(test.path("evidence_files")).extracting(JsonNode::asText).contains("boot-page.bin");
        assertThat(dir.resolve(test.path("evidence_dir").asText()).resolve("boot-page.bin")).exists();

        String html = Files.readString(dir.resolve("index.html"));
        assertThat(html).contains("\"kind\" : \"run\"").contains("tai_offset_sec").contains("VMC-FLAGS-03");
        assertThat(out.toString(StandardCharsets.UTF_8)).contains("index.html");
    }
}
