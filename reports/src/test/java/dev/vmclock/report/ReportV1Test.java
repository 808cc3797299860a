package dev.vmclock.report;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A report.json written before v2 (QEMU in an image, with a hop) is read as v2: its {@code qemu} object becomes the
 * VMM {@code qemu} with the image's packages as details, and written again it is a valid v2 report.
 */
public class ReportV1Test {

    /** A v1 report: QEMU 10.0.2 in an image hopping to 11.1.3, four clauses (VRTC-OP-08 and VMC-FLAGS-03 FAIL). */
    public static final String FIXTURE = "/dev/vmclock/report/v1/report.json";

    @TempDir
    Path dir;

    /** The fixture copied into {@code dir} as a run directory's report.json. */
    public static Path copyInto(Path dir) throws Exception {
        Files.createDirectories(dir);
        try (var in = ReportV1Test.class.getResourceAsStream(FIXTURE)) {
            assertThat(in).as(FIXTURE + " on the classpath").isNotNull();
            Files.copy(in, dir.resolve(ReportJson.FILE_NAME));
        }
        return dir;
    }

    @Test
    void theFixtureIsAV1Report() throws Exception {
        JsonNode doc = ReportJson.MAPPER.readTree(Files.readString(copyInto(dir).resolve(ReportJson.FILE_NAME)));
        assertThat(ReportSchemaTest.load(ReportSchemaTest.SCHEMA_V1).validate(doc)).isEmpty();
        assertThat(ReportSchemaTest.load().validate(doc)).as("v2 does not accept it as it is").isNotEmpty();
    }

    @Test
    void aV1ReportIsReadAsV2() throws Exception {
        Report r = ReportJson.read(copyInto(dir));
        assertThat(r.schema()).isEqualTo(Report.SCHEMA);
        Report.Implementation i = r.implementation();
        assertThat(i.vmm()).isEqualTo(new Report.Vmm("qemu", "10.0.2", "/usr/bin/qemu-system-x86_64",
                "vmclock-conformance/qemu-debian:trixie-0",
                Map.of("qemu-system-x86", "1:10.0.2+ds-2", "seabios", "1.16.3-2")));
        assertThat(i.hop().vmm().version()).isEqualTo("11.1.3");
        assertThat(i.hop().vmm().details()).containsEntry("qemu-system-x86", "1:11.1.3+ds-1~bpo13+1");
        assertThat(i.hop().machineType()).isEqualTo("pc-q35-10.0");
        assertThat(i.describe()).isEqualTo("QEMU 10.0.2 (vmclock-conformance/qemu-debian:trixie-0) -> 11.1.3, "
                + "pc-q35-10.0, tcg");
        assertThat(r.clauses()).extracting(Report.ClauseReport::id)
                .containsExactly("VRTC-OP-08", "VMC-FLAGS-03", "VRTC-OP-05", "VMC-DISRUPT-01");
    }

    @Test
    void aV1ReportWrittenAgainIsAValidV2Report() throws Exception {
        Report r = ReportJson.read(copyInto(dir.resolve("old")));
        Path again = Files.createDirectories(dir.resolve("again"));
        JsonNode doc = ReportJson.MAPPER.readTree(Files.readString(ReportJson.write(r, again)));
        assertThat(ReportSchemaTest.load().validate(doc)).isEmpty();
        assertThat(doc.path("schema").asText()).isEqualTo("vmclock-conformance/report/v2");
        assertThat(ReportJson.read(again)).isEqualTo(r);
    }

    @Test
    void aV1QemuWithoutWhereOrPackagesIsLocalWithoutDetails() throws Exception {
        Path file = copyInto(dir).resolve(ReportJson.FILE_NAME);
        Files.writeString(file, Files.readString(file).replaceFirst(
                "(?s)\"qemu\": \\{.*?\\},\\s*\"machine\"",
                "\"qemu\": {\"path\": \"/opt/qemu/bin/qemu-system-x86_64\", \"version\": \"9.2.0\"}, \"machine\""));
        Report.Vmm vmm = ReportJson.read(file).implementation().vmm();
        assertThat(vmm).isEqualTo(new Report.Vmm("qemu", "9.2.0", "/opt/qemu/bin/qemu-system-x86_64", "local", Map.of()));
    }
}
