package dev.vmclock.report.junit;

import static org.assertj.core.api.Assertions.assertThat;

import dev.vmclock.conformance.run.SuiteRun;
import dev.vmclock.gate.FailOn;
import dev.vmclock.report.Report;
import dev.vmclock.report.ReportBuilder;
import dev.vmclock.report.RunContext;
import dev.vmclock.report.SyntheticRun;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import javax.xml.parsers.DocumentBuilderFactory;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.w3c.dom.Document;
import org.w3c.dom.Element;
import org.w3c.dom.NodeList;

/** junit.xml of synthetic runs, read back with a real XML parser. */
class JunitXmlTest {

    @TempDir
    Path dir;

    private static final Report.Implementation QEMU = SyntheticRun.implementation();

    private Document parse(SuiteRun run, Report.Implementation implementation) throws Exception {
        return read(JunitXml.write(run, implementation, dir));
    }

    private static Document read(Path file) throws Exception {
        return DocumentBuilderFactory.newInstance().newDocumentBuilder().parse(file.toFile());
    }

    @Test
    void oneSuitePerSectionOneCasePerTestWithVerdictElements() throws Exception {
        Document doc = parse(SyntheticRun.write(dir, true), QEMU);
        Element root = doc.getDocumentElement();
        assertThat(root.getTagName()).isEqualTo("testsuites");
        assertThat(root.getAttribute("name")).isEqualTo("vmclock-conformance: QEMU 10.0.2, q35, tcg");
        assertThat(root.getAttribute("tests")).isEqualTo("4");
        assertThat(root.getAttribute("failures")).isEqualTo("2");
        assertThat(root.getAttribute("skipped")).isEqualTo("1");
        assertThat(root.getAttribute("time")).isEqualTo("31.400");
        assertThat(names(doc, "testsuite")).containsExactly("Constant fields", "Flags", "seq_count", "Time calculation");
        Element fail = testcase(doc, "VMC-CONST-02 unchangedAcrossLiveMigration");
        assertThat(fail.getAttribute("classname")).isEqualTo("dev.vmclock.conformance.suite.ConstantFieldsTest");
        Element failure = (Element) fail.getElementsByTagName("failure").item(0);
        assertThat(failure.getAttribute("type")).isEqualTo("FAIL MUST");
        assertThat(failure.getTextContent()).isEqualTo("[version after LIVE_MIGRATION] expected: 1 but was: 2");
        assertThat(fail.getElementsByTagName("system-out").item(0).getTextContent())
                .isEqualTo("evidence: evidence/ConstantFieldsTest.unchangedAcrossLiveMigration");
        Element should = testcase(doc, "VMC-FLAGS-03 taiOffsetValidIsSet");
        assertThat(((Element) should.getElementsByTagName("failure").item(0)).getAttribute("message"))
                .as("markup in a message is text").endsWith("</script><b>not markup</b>");
        Element na = testcase(doc, "VMC-TIME-06 computedTimeMatchesHostClock");
        assertThat(((Element) na.getElementsByTagName("skipped").item(0)).getAttribute("message"))
                .isEqualTo("NOT_APPLICABLE: counter_id is INVALID (0xff)");
        assertThat(testcase(doc, "VMC-SEQ-01 evenAtRest").getChildNodes().getLength()).isZero();
        assertThat(doc.getElementsByTagName("property").item(0).getAttributes().getNamedItem("value").getNodeValue())
                .isEqualTo("QEMU 10.0.2, q35, tcg");
    }

    @Test
    void anySpecsClausesGetTheirSectionsAndStrengths() throws Exception {
        Document doc = parse(SyntheticRun.writeTwoSpecs(dir), QEMU);
        assertThat(names(doc, "testsuite")).containsExactly("Constant fields", "virtio-rtc: clock reads",
                "virtio-rtc: configuration");
        Element vrtc = testcase(doc, "VRTC-READ-02 clockReadIsMonotonic");
        Element failure = (Element) vrtc.getElementsByTagName("failure").item(0);
        assertThat(failure.getAttribute("type")).isEqualTo("FAIL MUST");
        assertThat(failure.getTextContent()).endsWith("expected: 0 but was: 1 & <not markup>");
    }

    @Test
    void controlCharactersXmlCannotCarryAreDropped() throws Exception {
        SuiteRun run = SyntheticRun.write(dir, true);
        Report.Implementation odd = new Report.Implementation(new Report.Vmm("qemu", "\u0001 10.0.2\u001b[0m\t",
                "/usr/bin/qemu-system-x86_64"), "q35", QEMU.accelerator(), null, QEMU.host());
        Document doc = parse(run, odd);
        assertThat(doc.getDocumentElement().getAttribute("name")).as("a tab in an attribute reads back as a space")
                .isEqualTo("vmclock-conformance: QEMU  10.0.2[0m , q35, tcg");
        assertThat(Files.readString(dir.resolve(JunitXml.FILE))).startsWith("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<testsuites ");
    }

    @Test
    void theImplementationRecordIsTheSuitesNameAndProperties() throws Exception {
        Report.Implementation imaged = new Report.Implementation(new Report.Vmm("qemu", "10.0.2", "/usr/bin/qemu-system-x86_64",
                "vmclock-conformance/qemu-debian:trixie-0", Map.of("qemu-system-x86", "1:10.0.2+ds-2")), "pc-q35-10.0",
                QEMU.accelerator(), null, QEMU.host(), new Report.Hop(new Report.Vmm("qemu", "11.1.3",
                "/usr/bin/qemu-system-x86_64", "vmclock-conformance/qemu-debian:trixie-backports-0", Map.of()), "pc-q35-10.0"));
        SuiteRun run = SyntheticRun.write(dir, true);
        Report judged = ReportBuilder.build(run, new RunContext(imaged, Instant.parse("2026-11-22T03:00:00Z"), "test",
                Optional.of("time-off"), List.of(), SuiteRun.Gate.MUST, dir));
        Document doc = read(JunitXml.write(run, judged, dir, new FailOn(SuiteRun.Gate.MUST, false)));
        String line = "QEMU 10.0.2 (vmclock-conformance/qemu-debian:trixie-0) -> 11.1.3, pc-q35-10.0, tcg, "
                + "reference clock time-off";
        assertThat(doc.getDocumentElement().getAttribute("name")).isEqualTo("vmclock-conformance: " + line);
        Element first = (Element) doc.getElementsByTagName("properties").item(0);
        Map<String, String> properties = new LinkedHashMap<>();
        NodeList ps = first.getElementsByTagName("property");
        for (int i = 0; i < ps.getLength(); i++) {
            Element p = (Element) ps.item(i);
            properties.put(p.getAttribute("name"), p.getAttribute("value"));
        }
        assertThat(properties).containsExactly(Map.entry("implementation", line), Map.entry("vmm", "qemu"),
                Map.entry("vmm.version", "10.0.2"), Map.entry("vmm.path", "/usr/bin/qemu-system-x86_64"),
                Map.entry("vmm.where", "vmclock-conformance/qemu-debian:trixie-0"),
                Map.entry("vmm.details.qemu-system-x86", "1:10.0.2+ds-2"), Map.entry("machine", "pc-q35-10.0"),
                Map.entry("accelerator", "tcg"), Map.entry("hop.version", "11.1.3"),
                Map.entry("hop.where", "vmclock-conformance/qemu-debian:trixie-backports-0"),
                Map.entry("reference_clock", "time-off"));
    }

    private static List<String> names(Document doc, String tag) {
        NodeList nodes = doc.getElementsByTagName(tag);
        List<String> out = new ArrayList<>();
        for (int i = 0; i < nodes.getLength(); i++) {
            out.add(((Element) nodes.item(i)).getAttribute("name"));
        }
        return out;
    }

    private static Element testcase(Document doc, String name) {
        NodeList nodes = doc.getElementsByTagName("testcase");
        for (int i = 0; i < nodes.getLength(); i++) {
            if (((Element) nodes.item(i)).getAttribute("name").equals(name)) {
                return (Element) nodes.item(i);
            }
        }
        throw new AssertionError("no testcase " + name);
    }
}
