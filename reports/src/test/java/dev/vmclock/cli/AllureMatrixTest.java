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
import java.util.Base64;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.io.TempDir;

/**
 * A two-job CI matrix (machines q35 and pc), each a real run of a few clauses, merged into one offline
 * Allure report: the jobs' results carry the spec's labels and the evidence, and stay apart when merged.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class AllureMatrixTest {

    private static final ObjectMapper JSON = new ObjectMapper();

    @TempDir
    static Path dir;
    private Path q35;
    private Path pc;

    @BeforeAll
    void runTheMatrix() {
        q35 = dir.resolve("q35");
        pc = dir.resolve("pc");
        // LAYOUT-01 passes; GEN-02 is NOT_APPLICABLE on stock QEMU (no generation counter); FLAGS-03 FAILs (SHOULD).
        for (Path job : List.of(q35, pc)) {
            String machine = job.getFileName().toString();
            assertThat(main("run", "--machine", machine, "--select", "VMC-LAYOUT-01,VMC-GEN-02,VMC-FLAGS-03",
                    "--out", job.toString())).as("run on %s", machine).isZero();
        }
    }

    @Test
    void resultsCarryClauseLabelsLinkAndEvidence() throws Exception {
        // magicIsVclk: its evidence is the boot page
        JsonNode layout = results(q35).stream().filter(r -> labels(r, "testMethod").contains("magicIsVclk"))
                .findFirst().orElseThrow();
        assertThat(layout.get("status").asText()).isEqualTo("passed");
        assertThat(labels(layout, "epic")).containsExactly("Layout and constants");
        assertThat(labels(layout, "severity")).containsExactly("critical");
        // The implementation: its QEMU version, the container image when it runs in one, the machine and accelerator.
        assertThat(labels(layout, "parentSuite")).singleElement(org.assertj.core.api.InstanceOfAssertFactories.STRING)
                .matches("QEMU \\d+\\.\\d+\\.\\d+( \\([^)]+\\))?, q35, tcg");
        assertThat(layout.get("links").get(0).get("url").asText()).endsWith("#:~:text=VMC-LAYOUT-01");
        List<String> attachments = new ArrayList<>();
        layout.get("attachments").forEach(a -> attachments.add(a.get("name").asText()));
        assertThat(attachments).contains("boot-page.bin", "boot-page.txt");

        JsonNode flags = results(q35).stream().filter(r -> labels(r, "feature").contains("VMC-FLAGS-03")).findFirst().orElseThrow();
        assertThat(flags.get("status").asText()).as("a FAIL is Allure's failed").isEqualTo("failed");
        assertThat(labels(flags, "severity")).containsExactly("normal");
        JsonNode gen = results(q35).stream().filter(r -> labels(r, "feature").contains("VMC-GEN-02")).findFirst().orElseThrow();
        assertThat(gen.get("status").asText()).as("NOT_APPLICABLE is Allure's skipped").isEqualTo("skipped");
        assertThat(gen.at("/statusDetails/message").asText()).contains("VM_GEN_COUNTER_PRESENT");
    }

    @Test
    void junitXmlNamesTheClauses() throws Exception {
        String xml = Files.readString(q35.resolve("junit.xml"));
        assertThat(xml).contains("<testcase name=\"VMC-LAYOUT-01 magicIsVclk\"")
                .contains("<failure type=\"FAIL SHOULD\"").contains("<skipped message=\"NOT_APPLICABLE: ")
                .contains("<system-out>evidence: evidence/LayoutTest.magicIsVclk</system-out>");
    }

    @Test
    void matrixMergesIntoOneOfflineReport() throws Exception {
        Path html = dir.resolve("allure");
        assertThat(main("allure", q35.toString(), pc.toString(), "--out", html.toString())).isZero();
        String page = Files.readString(html.resolve("index.html"));
        assertThat(page.contains("src=\"http") || page.contains("href=\"http")).as("self-contained: nothing loaded from the network").isFalse();
        JsonNode suites = JSON.readTree(embedded(page, "data/suites.json"));
        List<String> implementations = new ArrayList<>();
        suites.get("children").forEach(c -> implementations.add(c.get("name").asText()));
        assertThat(implementations).hasSize(2).anyMatch(n -> n.contains(", q35, ")).anyMatch(n -> n.contains(", pc, "));
        JsonNode summary = JSON.readTree(embedded(page, "widgets/summary.json"));
        assertThat(summary.at("/statistic/total").asInt()).as("every test of both jobs, none folded into retries")
                .isEqualTo(results(q35).size() + results(pc).size());
        assertThat(summary.at("/statistic/failed").asInt()).as("VMC-FLAGS-03 in each job").isEqualTo(2);
    }

    private int main(String... args) {
        var sink = new PrintStream(new ByteArrayOutputStream(), true, StandardCharsets.UTF_8);
        return new Main(sink, System.err).run(List.of(args));
    }

    private static List<JsonNode> results(Path run) throws Exception {
        try (Stream<Path> files = Files.list(run.resolve("allure-results"))) {
            List<JsonNode> out = new ArrayList<>();
            for (Path f : files.filter(f -> f.toString().endsWith("-result.json")).toList()) {
                out.add(JSON.readTree(f.toFile()));
            }
            return out;
        }
    }

    private static List<String> labels(JsonNode result, String name) {
        List<String> out = new ArrayList<>();
        result.get("labels").forEach(l -> {
            if (l.get("name").asText().equals(name)) {
                out.add(l.get("value").asText());
            }
        });
        return out;
    }

    /** Allure's single-file report embeds each data file base64-encoded: {@code d('data/x.json','...')}. */
    private static String embedded(String page, String name) {
        Matcher m = Pattern.compile("d\\('" + Pattern.quote(name) + "','([^']*)'\\)").matcher(page);
        assertThat(m.find()).as("%s embedded in the report", name).isTrue();
        return new String(Base64.getDecoder().decode(m.group(1)), StandardCharsets.UTF_8);
    }
}
