package dev.vmclock.cli;

import static org.assertj.core.api.Assertions.assertThat;

import dev.vmclock.conformance.run.SuiteRun;
import dev.vmclock.report.ReportBuilder;
import dev.vmclock.report.ReportJson;
import dev.vmclock.report.SyntheticRun;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code report RUN_DIR...}: regenerate one page, compare several, one-line errors with documented codes. */
class ReportCommandTest {

    private final ByteArrayOutputStream out = new ByteArrayOutputStream();
    private final ByteArrayOutputStream err = new ByteArrayOutputStream();

    @TempDir
    Path good;
    @TempDir
    Path bad;

    private int run(String... args) {
        return new Main(new PrintStream(out, true, StandardCharsets.UTF_8), new PrintStream(err, true, StandardCharsets.UTF_8))
                .run(List.of(args));
    }

    private static Path writeRun(Path dir, boolean broken) {
        ReportJson.write(ReportBuilder.build(SyntheticRun.write(dir, broken), SyntheticRun.context(dir, SuiteRun.Gate.MUST)),
                dir);
        return dir;
    }

    @Test
    void oneRunDirRegeneratesItsIndexHtml() throws Exception {
        writeRun(bad, true);
        assertThat(run("report", bad.toString())).isZero();
        String html = Files.readString(bad.resolve("index.html"));
        assertThat(html).contains("\"kind\" : \"run\"").contains("live_migration");
        assertThat(out.toString(StandardCharsets.UTF_8)).contains("index.html");
    }

    @Test
    void severalRunDirsAreComparedInOnePage(@TempDir Path outDir) throws Exception {
        writeRun(good, false);
        writeRun(bad, true);
        Path file = outDir.resolve("cmp.html");
        assertThat(run("report", good.toString(), bad.toString(), "--out", file.toString())).isZero();
        assertThat(Files.readString(file)).contains("\"kind\" : \"comparison\"").contains("\"differs\" : true");
        assertThat(out.toString(StandardCharsets.UTF_8)).contains("2 runs, 4 clauses, 1 with differing verdicts");
    }

    @Test
    void aDirWithoutReportJsonExitsTwoWithOneLine(@TempDir Path empty) {
        writeRun(good, false);
        assertThat(run("report", good.toString(), empty.toString())).isEqualTo(2);
        assertThat(err.toString(StandardCharsets.UTF_8)).startsWith("vmclock-conformance: " + empty + " has no report.json")
                .hasLineCount(1);
    }

    @Test
    void anUnknownSchemaExitsTwoWithOneLine() throws Exception {
        Files.writeString(bad.resolve("report.json"), "{\"schema\": \"vmclock-conformance/report/v0\", \"clauses\": []}");
        assertThat(run("report", bad.toString())).isEqualTo(2);
        assertThat(err.toString(StandardCharsets.UTF_8)).contains("schema 'vmclock-conformance/report/v0'")
                .contains("report/v2 and vmclock-conformance/report/v1").hasLineCount(1);
    }

    @Test
    void noRunDirIsAUsageError() {
        assertThat(run("report")).isEqualTo(2);
        assertThat(err.toString(StandardCharsets.UTF_8)).contains("at least one RUN_DIR").hasLineCount(1);
    }

    @Test
    void anUnwritableOutputExitsSix() {
        writeRun(good, false);
        assertThat(run("report", good.toString(), "--out", "/proc/vmclock-no/cmp.html")).isEqualTo(6);
        assertThat(err.toString(StandardCharsets.UTF_8)).contains("cannot write to /proc/vmclock-no").contains("--out")
                .hasLineCount(1);
    }
}
