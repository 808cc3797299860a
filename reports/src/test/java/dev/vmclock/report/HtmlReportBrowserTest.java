package dev.vmclock.report;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.vmclock.conformance.run.SuiteRun;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * index.html in a real browser: headless Chromium, driven over DevTools, clicks the failing clause and
 * sees its evidence, the changed page field highlighted. Screenshots go to target/browser/.
 */
class HtmlReportBrowserTest {

    static final Path SHOTS = Path.of("target", "browser");
    static final String ROW = "#clause-" + SyntheticRun.FAILING;
    static final String EVIDENCE = "#evidence-" + SyntheticRun.FAILING;
    static final String CHANGED = EVIDENCE + " tr.changed[data-field='" + SyntheticRun.CHANGED_FIELD + "']";

    private static HeadlessChromium browser;

    @TempDir
    Path runDir;

    @BeforeAll
    static void startBrowser() throws Exception {
        browser = HeadlessChromium.start(1400, 1100);
    }

    @AfterAll
    static void stopBrowser() {
        if (browser != null) {
            browser.close();
        }
    }

    private Path writeRun(boolean broken) {
        Report r = ReportBuilder.build(SyntheticRun.write(runDir, broken), SyntheticRun.context(runDir, SuiteRun.Gate.MUST));
        ReportJson.write(r, runDir);
        return HtmlReport.write(r, runDir);
    }

    /** Visible: laid out with a size and not hidden by the page (checkVisibility covers hidden ancestors). */
    private static boolean visible(String selector) throws Exception {
        return browser.eval("(() => { const e = document.querySelector(\"" + selector.replace("\"", "\\\"") + "\");"
                + " return !!e && e.checkVisibility() && e.getBoundingClientRect().height > 0; })()").asBoolean();
    }

    @Test
    void clickingTheFailingClauseShowsItsPageDiffWithTheChangedFieldHighlighted() throws Exception {
        Path html = writeRun(true);
        browser.open(html.toUri());
        assertThat(browser.eval("document.querySelector('#gate').textContent").asText())
                .isEqualTo("Gate (--fail-on must): FAILS");
        assertThat(browser.eval("document.querySelectorAll('tr.clause').length").asInt()).isEqualTo(4);
        assertThat(browser.eval("document.querySelector('dl.facts dt').textContent + ' ' "
                + "+ document.querySelector('dl.facts dd').textContent").asText())
                .as("the header names the VMM as its record spells it")
                .isEqualTo("QEMU 10.0.2 (/usr/bin/qemu-system-x86_64)");
        assertThat(browser.eval("performance.getEntriesByType('resource').length").asInt())
                .as("resources fetched: the page is self-contained").isZero();
        assertThat(visible(EVIDENCE)).as("evidence before the click").isFalse();

        browser.click(ROW + " td.id");

        assertThat(visible(EVIDENCE)).as("evidence after the click").isTrue();
        assertThat(visible(CHANGED)).as("changed field row").isTrue();
        assertThat(browser.eval("getComputedStyle(document.querySelector(\"" + CHANGED + " td\")).backgroundColor").asText())
                .as("highlight colour of the changed field").isEqualTo("rgb(255, 241, 194)");
        assertThat(browser.eval("[...document.querySelectorAll('" + EVIDENCE + " tr.changed')].map(r => r.dataset.field)"))
                .extracting(JsonNode::asText)
                .containsExactly(SyntheticRun.CHANGED_FIELD, "seq_count", "disruption_marker"); // page order
        assertThat(browser.eval("document.querySelector(\"" + CHANGED + "\").textContent").asText())
                .contains("0x08").contains("1").contains("2");
        browser.screenshot(SHOTS.resolve("failing-clause-open.png"));

        String dom = browser.dom();
        assertThat(dom).contains("page before/after live_migration: 3 field(s) changed: version, seq_count, disruption_marker")
                .contains("## LIVE_MIGRATION in 634 ms") // the QMP exchange
                .contains("version 1 -&gt; 2") // notes
                .contains("vmclock-agent: ready") // the console tail
                .contains("&lt;/script&gt;&lt;b&gt;not markup&lt;/b&gt;"); // report text is text, never HTML
        assertThat(Files.size(SHOTS.resolve("failing-clause-open.png"))).isGreaterThan(10_000);

        browser.click(ROW + " td.id");
        assertThat(visible(EVIDENCE)).as("a second click closes it").isFalse();
    }

    @Test
    void expectedAndUnexpectedResultsAreShownApart(@TempDir Path good) throws Exception {
        Report master = ReportBuilder.build(SyntheticRun.write(good, false), SyntheticRun.context(good, SuiteRun.Gate.MUST));
        Path file = Files.writeString(good.resolve("expected.yaml"), dev.vmclock.gate.ExpectationsWriter.write(master,
                "master", java.util.Optional.empty(), java.util.Optional.of("known")));
        Report run = ReportBuilder.build(SyntheticRun.write(runDir, true), SyntheticRun.context(runDir, SuiteRun.Gate.MUST));
        var expected = dev.vmclock.gate.Expected.forSubject(dev.vmclock.gate.ExpectationsFile.read(file,
                dev.vmclock.conformance.spec.SpecMap.load()), dev.vmclock.gate.Subject.of(run.implementation()));
        Report judged = dev.vmclock.gate.Gate.judge(run, dev.vmclock.gate.FailOn.parse(java.util.List.of(), Map.of()),
                java.util.Optional.of(expected), java.util.Optional.of(new dev.vmclock.gate.Baseline("master", master)))
                .report();
        browser.open(HtmlReport.write(judged, runDir).toUri());
        assertThat(browser.eval("[...document.querySelectorAll('tr.clause[data-outcome=unexpected]')].map(r => r.dataset.id)"))
                .extracting(JsonNode::asText).containsExactly(SyntheticRun.FAILING);
        assertThat(browser.eval("[...document.querySelectorAll('tr.clause[data-outcome=expected] .held')]"
                + ".map(h => h.textContent)")).extracting(JsonNode::asText).isNotEmpty().containsOnly("expected");
        assertThat(browser.eval("document.querySelector('#expectations').textContent").asText())
                .contains("1 unexpected").contains(SyntheticRun.FAILING);
        assertThat(browser.eval("document.querySelector('#baseline').textContent").asText())
                .contains("1 checks worse").contains(SyntheticRun.FAILING);
        browser.screenshot(SHOTS.resolve("expectations.png"));
    }

    @Test
    void filtersHideClausesByVerdictAndStrength() throws Exception {
        browser.open(writeRun(true).toUri());
        browser.click("input[name=verdict][value=PASS]");
        browser.click("input[name=verdict][value=NOT_APPLICABLE]");
        assertThat(shownIds()).containsExactly("VMC-CONST-02", "VMC-FLAGS-03");
        browser.click("input[name=strength][value=MUST]");
        assertThat(shownIds()).containsExactly("VMC-FLAGS-03");
        browser.screenshot(SHOTS.resolve("filtered-should-fail.png"));
    }

    @Test
    void theKeyboardOpensAClauseToo() throws Exception {
        browser.open(writeRun(true).toUri());
        browser.eval("document.querySelector('" + ROW + "').focus()");
        browser.send("Input.dispatchKeyEvent", Map.of("type", "keyDown", "key", "Enter", "code", "Enter",
                "windowsVirtualKeyCode", 13));
        browser.send("Input.dispatchKeyEvent", Map.of("type", "keyUp", "key", "Enter", "code", "Enter",
                "windowsVirtualKeyCode", 13));
        assertThat(visible(CHANGED)).isTrue();
        assertThat(browser.eval("document.querySelector('" + ROW + "').getAttribute('aria-expanded')").asText())
                .isEqualTo("true");
    }

    @Test
    void aFragmentNamingAClauseOpensIt() throws Exception {
        Path html = writeRun(true);
        browser.open(html.toUri().resolve("#" + SyntheticRun.FAILING));
        assertThat(visible(CHANGED)).isTrue();
    }

    @Test
    void comparisonHighlightsTheClauseWhoseVerdictDiffers(@TempDir Path good) throws Exception {
        Path bad = runDir;
        Map<Path, Report> runs = new LinkedHashMap<>();
        runs.put(good, ReportBuilder.build(SyntheticRun.write(good, false), SyntheticRun.context(good, SuiteRun.Gate.MUST)));
        runs.put(bad, ReportBuilder.build(SyntheticRun.write(bad, true), SyntheticRun.context(bad, SuiteRun.Gate.MUST)));
        Path file = Comparison.of(runs).write(runDir.resolve("compare.html"));
        browser.open(file.toUri());
        assertThat(browser.eval("[...document.querySelectorAll('tr.differs')].map(r => r.dataset.id)"))
                .extracting(JsonNode::asText).containsExactly(SyntheticRun.FAILING);
        assertThat(browser.eval("getComputedStyle(document.querySelector('tr.differs td')).backgroundColor").asText())
                .isEqualTo("rgb(255, 246, 237)");
        browser.click("#only-differing");
        assertThat(browser.eval("[...document.querySelectorAll('tr.row')].filter(r => !r.hidden).length").asInt())
                .isEqualTo(1);
        browser.screenshot(SHOTS.resolve("comparison.png"));
    }

    @Test
    void aMatrixCellThatCouldNotRunIsErrorOnEveryRowWithItsCauseInItsColumn(@TempDir Path notRun) throws Exception {
        Map<Path, Report> runs = new LinkedHashMap<>();
        runs.put(runDir, ReportBuilder.build(SyntheticRun.write(runDir, false), SyntheticRun.context(runDir, SuiteRun.Gate.MUST)));
        String cause = "container image vendor/qemu:1 is not on the Docker host (nothing is pulled) (exit 3)";
        runs.put(notRun, ReportBuilder.notRun(SyntheticRun.context(notRun, SuiteRun.Gate.MUST), cause));
        Path file = Comparison.of(runs).write(runDir.resolve("compare.html"));
        browser.open(file.toUri());
        assertThat(browser.eval("document.querySelectorAll('th.run')[1].querySelector('.cell-error').textContent").asText())
                .isEqualTo("ERROR: " + cause);
        assertThat(browser.eval("[...document.querySelectorAll('tr.row')].every(r => r.querySelectorAll('td.v')[1]"
                + ".textContent === 'ERROR')").asBoolean()).isTrue();
        browser.screenshot(SHOTS.resolve("comparison-error-cell.png"));
    }

    @Test
    void withoutChromiumTheTestFailsAndSaysToRunSetup(@TempDir Path emptyDir) {
        org.assertj.core.api.Assertions.assertThatThrownBy(() -> HeadlessChromium.locate(emptyDir.toString()))
                .isInstanceOf(AssertionError.class).hasMessageContaining("run ./setup.sh");
    }

    private static java.util.List<String> shownIds() throws Exception {
        JsonNode ids = browser.eval("[...document.querySelectorAll('tr.clause')].filter(r => r.checkVisibility()).map(r => r.dataset.id)");
        java.util.List<String> out = new java.util.ArrayList<>();
        ids.forEach(n -> out.add(n.asText()));
        return out;
    }
}
