package dev.vmclock.report.junit;

import static org.assertj.core.api.Assertions.assertThat;

import dev.vmclock.conformance.run.SuiteRun;
import dev.vmclock.report.SyntheticRun;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
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

    private Document parse(SuiteRun run, String implementation) throws Exception {
        Path file = JunitXml.write(run, implementation, dir);
        return DocumentBuilderFactory.newInstance().newDocumentBuilder().parse(file.toFile());
    }

    @Test
    void oneSuitePerSectionOneCasePerTestWithVerdictElements() throws Exception {
        Document doc = parse(SyntheticRun.write(dir, true), "QEMU 10.0.2, q35, tcg");
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
        Document doc = parse(SyntheticRun.writeTwoSpecs(dir), "QEMU 10.0.2, q35, tcg");
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
        Document doc = parse(run, "QEMU \u0001 10.0.2\u001b[0m\ttcg");
        assertThat(doc.getDocumentElement().getAttribute("name")).as("a tab in an attribute reads back as a space").isEqualTo("vmclock-conformance: QEMU  10.0.2[0m tcg");
        assertThat(Files.readString(dir.resolve(JunitXml.FILE))).startsWith("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<testsuites ");
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
