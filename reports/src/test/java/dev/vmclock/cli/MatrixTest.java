package dev.vmclock.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.vmclock.harness.qemu.QemuBinary;
import dev.vmclock.report.Comparison;
import dev.vmclock.report.Report;
import dev.vmclock.report.ReportJson;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code matrix} on real QEMU: the host's QEMU judged on the virtio-rtc read area (every clause NOT_APPLICABLE
 * naming virtio-rtc-pci on this machine's QEMU 10.0: a quick cell that needs no guest), next to two cells that
 * cannot run (an image that is not on the Docker host, a build directory without QEMU). The bad cells are ERROR
 * with their one-line cause and the good one still runs; one comparison and one Allure report cover all three.
 * Then the CI way: two cells as two separate jobs (processes), their run directories merged afterwards.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class MatrixTest {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final String HOST = "/usr/bin/qemu-system-x86_64";
    private static final String MISSING_IMAGE = "vmclock-conformance/no-such-image:matrix-test";

    @TempDir
    static Path dir;
    private Path matrix;
    private String stdout;
    private int exit;

    @BeforeAll
    void runTheMatrix() throws Exception {
        assertThat(QemuBinary.locate(HOST).hasDevice("virtio-rtc-pci")).as("this test expects the host's QEMU 10.0").isFalse();
        Path emptyTree = Files.createDirectories(dir.resolve("not-a-build-tree"));
        matrix = dir.resolve("matrix");
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        exit = main(out, "matrix", "--impl", "host=" + HOST + ",ghost=" + MISSING_IMAGE + ",empty=build-dir:" + emptyTree,
                "--select", "VRTC-READ", "--accel", "tcg", "-j", "2", "--out", matrix.toString());
        stdout = out.toString(StandardCharsets.UTF_8);
    }

    @Test
    void badCellsAreErrorWithTheirCauseAndTheGoodOneRuns() throws Exception {
        assertThat(exit).as(stdout).isEqualTo(1);
        Map<String, JsonNode> cells = new LinkedHashMap<>();
        JSON.readTree(matrix.resolve("matrix.json").toFile()).get("cells").forEach(c -> cells.put(c.get("cell").asText(), c));
        assertThat(cells.keySet()).containsExactly("host--q35", "ghost--q35", "empty--q35");
        assertThat(cells.get("host--q35").get("status").asText()).isEqualTo("HOLDS");
        assertThat(cells.get("ghost--q35").get("status").asText()).isEqualTo("ERROR");
        assertThat(cells.get("ghost--q35").get("exit_code").asInt()).as("run's exit 3: no such image").isEqualTo(3);
        assertThat(cells.get("ghost--q35").get("cause").asText()).contains(MISSING_IMAGE, "nothing is pulled");
        assertThat(cells.get("empty--q35").get("cause").asText()).startsWith("no qemu-system-x86_64 in ");
        assertThat(stdout.lines()).filteredOn(l -> l.startsWith("ERROR ")).hasSize(2)
                .anySatisfy(l -> assertThat(l).contains("ghost--q35", MISSING_IMAGE))
                .anySatisfy(l -> assertThat(l).contains("empty--q35", "no qemu-system-x86_64"));
        assertThat(stdout).contains("implementation empty: ERROR no qemu-system-x86_64 in ");

        for (String cell : List.of("ghost--q35", "empty--q35")) {
            assertThat(dev.vmclock.report.ReportSchemaTest.load().validate(JSON.readTree(
                    matrix.resolve(cell).resolve("report.json").toFile()))).as("%s/report.json is a v1 report", cell).isEmpty();
        }
        Report host = ReportJson.read(matrix.resolve("host--q35"));
        assertThat(host.clauses()).isNotEmpty().allSatisfy(c -> {
            assertThat(c.verdict()).isEqualTo("NOT_APPLICABLE");
            assertThat(c.reason()).contains("virtio-rtc-pci");
        });
        assertThat(ProcessHandle.allProcesses().map(p -> p.info().commandLine().orElse(""))
                .filter(c -> c.contains(matrix.toString()))).as("no QEMU or cell JVM left behind").isEmpty();
        assertThat(dev.vmclock.harness.qemu.Command.of("docker", "ps", "-aq", "--filter", "ancestor=" + MISSING_IMAGE)
                .run(java.time.Duration.ofSeconds(20)).stdout()).isBlank();
    }

    @Test
    void oneComparisonAndOneAllureReportCoverEveryCellErrorsIncluded() throws Exception {
        Map<Path, Report> runs = new LinkedHashMap<>();
        for (String cell : List.of("host--q35", "ghost--q35", "empty--q35")) {
            runs.put(matrix.resolve(cell), ReportJson.read(matrix.resolve(cell)));
        }
        Comparison c = Comparison.of(runs);
        assertThat(c.columns()).extracting(Comparison.Column::error).containsExactly(null,
                runs.get(matrix.resolve("ghost--q35")).gateResult().containerFailure(),
                runs.get(matrix.resolve("empty--q35")).gateResult().containerFailure());
        assertThat(c.rows()).allSatisfy(r -> assertThat(r.verdicts()).containsExactly("NOT_APPLICABLE", "ERROR", "ERROR"));
        String page = Files.readString(matrix.resolve("comparison.html"));
        assertThat(page).contains("no qemu-system-x86_64 in ").contains(MISSING_IMAGE);

        String allure = Files.readString(matrix.resolve("allure/index.html"));
        JsonNode summary = JSON.readTree(embedded(allure, "widgets/summary.json"));
        assertThat(summary.at("/statistic/broken").asInt()).as("one ERROR result per cell that could not run").isEqualTo(2);
        assertThat(summary.at("/statistic/total").asInt()).isEqualTo(results(matrix.resolve("host--q35")) + 2);
        assertThat(suites(allure)).hasSize(3).anyMatch(n -> n.startsWith("QEMU ") && n.contains(", q35, tcg"))
                .anyMatch(n -> n.contains("cell ghost--q35")).anyMatch(n -> n.contains("cell empty--q35"));
    }

    /** Two CI jobs (separate processes, separate output directories), merged afterwards by report and allure. */
    @Test
    void independentlyProducedRunDirectoriesMerge() throws Exception {
        List<Path> downloaded = new ArrayList<>();
        for (String machine : List.of("q35", "pc")) {
            Path job = dir.resolve("job-" + machine);
            assertThat(main(new ByteArrayOutputStream(), "matrix", "--impl", "host=" + HOST, "--machines", "q35,pc",
                    "--select", "VRTC-READ", "--accel", "tcg", "--cell", "host--" + machine, "--out", job.toString()))
                    .as("job %s", machine).isZero();
            downloaded.add(job.resolve("host--" + machine));
        }
        Path merged = dir.resolve("merged");
        assertThat(main(new ByteArrayOutputStream(), "report", downloaded.get(0).toString(), downloaded.get(1).toString(),
                "--out", merged.resolve("comparison.html").toString())).isZero();
        assertThat(main(new ByteArrayOutputStream(), "allure", downloaded.get(0).toString(), downloaded.get(1).toString(),
                "--out", merged.resolve("allure").toString())).isZero();

        Map<Path, Report> runs = new LinkedHashMap<>();
        downloaded.forEach(d -> runs.put(d, ReportJson.read(d)));
        Comparison c = Comparison.of(runs);
        assertThat(c.columns()).extracting(Comparison.Column::machine).containsExactly("q35", "pc");
        assertThat(c.differing()).as("the same QEMU on two machines: the same verdicts").isZero();
        assertThat(merged.resolve("comparison.html")).isRegularFile();
        String allure = Files.readString(merged.resolve("allure/index.html"));
        assertThat(suites(allure)).hasSize(2).anyMatch(n -> n.contains(", q35, ")).anyMatch(n -> n.contains(", pc, "));
        assertThat(JSON.readTree(embedded(allure, "widgets/summary.json")).at("/statistic/total").asInt())
                .isEqualTo(results(downloaded.get(0)) + results(downloaded.get(1)));
    }

    /**
     * Hop cells: run on the host's QEMU hopping to Debian's QEMU 11.1 (a live migration across versions), and the
     * other way on a machine type QEMU 10.0 does not know, which is an ERROR cell with the one line run gives.
     */
    @Test
    void hopCellsRunWithHopToAndAnUnknownMachineTypeIsAnErrorCell() throws Exception {
        Path hops = dir.resolve("hops");
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        int code = main(out, "matrix", "--impl", "host=" + HOST + ",qemu-11.1=trixie-backports", "--hop", "host->qemu-11.1",
                "--hop", "qemu-11.1 -> host @ pc-q35-11.1", "--select", "VMC-DISRUPT-01", "--accel", "tcg",
                "--cell", "hop--host--to--qemu-11.1--q35,hop--qemu-11.1--to--host--pc-q35-11.1", "-j", "2",
                "--out", hops.toString());
        String stdout = out.toString(StandardCharsets.UTF_8);
        assertThat(code).as(stdout).isEqualTo(1);
        Path good = hops.resolve("hop--host--to--qemu-11.1--q35");
        assertThat(Files.readString(good.resolve("cell.argv"))).contains("--qemu " + HOST, "--hop-to vmclock-conformance/qemu-debian:trixie-backports-");
        Report hop = ReportJson.read(good);
        assertThat(hop.implementation().hop()).as("report.json names the hop").isNotNull();
        assertThat(hop.implementation().hop().vmm().version()).startsWith("11.1.");
        assertThat(hop.clauses()).extracting(Report.ClauseReport::id, Report.ClauseReport::verdict)
                .containsExactly(org.assertj.core.groups.Tuple.tuple("VMC-DISRUPT-01", "PASS"));
        assertThat(stdout.lines()).filteredOn(l -> l.startsWith("ERROR ")).singleElement().asString()
                .contains("hop--qemu-11.1--to--host--pc-q35-11.1", "pc-q35-11.1");
        assertThat(ReportJson.read(hops.resolve("hop--qemu-11.1--to--host--pc-q35-11.1")).gateResult().containerFailure())
                .contains("pc-q35-11.1").doesNotContain("\n");
        assertThat(Comparison.of(Map.of(good, hop)).columns().get(0).label()).contains("→ 11.1.");
    }

    private static int main(ByteArrayOutputStream out, String... args) {
        return new Main(new PrintStream(out, true, StandardCharsets.UTF_8), System.err).run(List.of(args));
    }

    private static long results(Path run) throws Exception {
        try (var files = Files.list(run.resolve("allure-results"))) {
            return files.filter(f -> f.toString().endsWith("-result.json")).count();
        }
    }

    private static List<String> suites(String page) throws Exception {
        List<String> names = new ArrayList<>();
        JSON.readTree(embedded(page, "data/suites.json")).get("children").forEach(c -> names.add(c.get("name").asText()));
        return names;
    }

    /** Allure's single-file report embeds each data file base64-encoded: {@code d('data/x.json','...')}. */
    private static String embedded(String page, String name) {
        Matcher m = Pattern.compile("d\\('" + Pattern.quote(name) + "','([^']*)'\\)").matcher(page);
        assertThat(m.find()).as("%s embedded in the report", name).isTrue();
        return new String(Base64.getDecoder().decode(m.group(1)), StandardCharsets.UTF_8);
    }
}
