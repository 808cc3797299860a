package dev.vmclock.report;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.networknt.schema.JsonSchema;
import com.networknt.schema.JsonSchemaFactory;
import com.networknt.schema.SpecVersion;
import com.networknt.schema.ValidationMessage;
import dev.vmclock.conformance.run.SuiteRun;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;
import java.util.Set;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Generated reports validate against the published schema, and the schema does reject what it should. */
public class ReportSchemaTest {

    public static final String SCHEMA = "/dev/vmclock/report/report-v2.schema.json";
    /** The schema reports were written in before v2; {@code report} still reads them. */
    public static final String SCHEMA_V1 = "/dev/vmclock/report/report-v1.schema.json";
    private static JsonSchema schema;

    @TempDir
    Path runDir;

    @BeforeAll
    static void loadSchema() throws Exception {
        schema = load();
    }

    /** The published schema reports are written in, for any test that checks a report.json. */
    public static JsonSchema load() throws Exception {
        return load(SCHEMA);
    }

    static JsonSchema load(String resource) throws Exception {
        try (InputStream in = ReportSchemaTest.class.getResourceAsStream(resource)) {
            assertThat(in).as(resource + " on the classpath").isNotNull();
            return JsonSchemaFactory.getInstance(SpecVersion.VersionFlag.V202012).getSchema(in);
        }
    }

    private JsonNode written(Report r) throws Exception {
        return ReportJson.MAPPER.readTree(Files.readString(ReportJson.write(r, runDir)));
    }

    @Test
    void generatedReportValidates() throws Exception {
        Report r = ReportBuilder.build(SyntheticRun.write(runDir, true), SyntheticRun.context(runDir, SuiteRun.Gate.MUST));
        assertThat(schema.validate(written(r))).isEmpty();
    }

    @Test
    void reportWithGuestImageManifestReferenceClockAndContainerFailureValidates() throws Exception {
        SuiteRun run = SyntheticRun.write(runDir, true);
        SuiteRun broken = new SuiteRun(run.configuration(), run.clauses(), run.tests(), run.elapsed(),
                Optional.of(new IllegalStateException("QEMU exited")));
        Report.GuestImageInfo image = new Report.GuestImageInfo("/cache/vmlinux", "/cache/initramfs.cpio.gz",
                "7.3.4+deb13-cloud-amd64", ReportJson.MAPPER.readTree("{\"format\":1,\"kernel_release\":\"7.3.4\"}"));
        Report.Implementation base = SyntheticRun.implementation();
        RunContext ctx = new RunContext(new Report.Implementation(base.vmm(), base.machine(), base.accelerator(), image,
                Implementations.currentHost()), java.time.Instant.now(), Implementations.suiteVersion(),
                Optional.of("time-off"), java.util.List.of("VMC-CONST-02", "FLAGS"), SuiteRun.Gate.SHOULD, runDir);
        Report r = ReportBuilder.build(broken, ctx);
        assertThat(r.gateResult().containerFailure()).contains("QEMU exited");
        assertThat(schema.validate(written(r))).isEmpty();
    }

    @Test
    void reportOfACrossVersionHopValidatesAndNamesTheDestination() throws Exception {
        Report.Implementation base = SyntheticRun.implementation();
        Report.Hop hop = new Report.Hop(new Report.Vmm("qemu", "11.1.3", "qemu-system-x86_64",
                "vmclock-conformance/qemu-debian:trixie-backports-0", java.util.Map.of("qemu-system-x86", "1:11.1.3")),
                "pc-q35-10.0");
        RunContext ctx = new RunContext(new Report.Implementation(base.vmm(), "pc-q35-10.0", base.accelerator(),
                base.guestImage(), base.host(), hop), java.time.Instant.now(), Implementations.suiteVersion(),
                Optional.empty(), java.util.List.of(), SuiteRun.Gate.MUST, runDir);
        JsonNode doc = written(ReportBuilder.build(SyntheticRun.write(runDir, true), ctx));
        assertThat(schema.validate(doc)).isEmpty();
        assertThat(doc.at("/implementation/hop/vmm/version").asText()).isEqualTo("11.1.3");
        assertThat(doc.at("/implementation/hop/vmm/details/qemu-system-x86").asText()).isEqualTo("1:11.1.3");
        assertThat(doc.at("/implementation/hop/machine_type").asText()).isEqualTo("pc-q35-10.0");
    }

    @Test
    void theVmmRecordIsWrittenWhole() throws Exception {
        JsonNode vmm = written(ReportBuilder.build(SyntheticRun.write(runDir, true),
                SyntheticRun.context(runDir, SuiteRun.Gate.MUST))).at("/implementation/vmm");
        assertThat(vmm.path("name").asText()).isEqualTo("qemu");
        assertThat(vmm.path("where").asText()).isEqualTo("local");
        assertThat(vmm.path("details").isObject()).isTrue();
        assertThat(vmm.has("display_name")).as("the display is derived, not stored").isFalse();
    }

    @Test
    void schemaRejectsAV1ImplementationAndAVmmWithoutName() throws Exception {
        JsonNode doc = written(ReportBuilder.build(SyntheticRun.write(runDir, true),
                SyntheticRun.context(runDir, SuiteRun.Gate.MUST)));
        ObjectNode impl = (ObjectNode) doc.path("implementation");
        ((ObjectNode) impl.path("vmm")).remove("name");
        impl.set("qemu", ReportJson.MAPPER.readTree("{\"path\": \"/usr/bin/qemu-system-x86_64\", \"version\": \"10.0.2\"}"));
        assertThat(schema.validate(doc)).extracting(ValidationMessage::getMessage)
                .anySatisfy(m -> assertThat(m).contains("name"))
                .anySatisfy(m -> assertThat(m).contains("qemu"));
    }

    @Test
    void schemaRejectsAnUnknownVerdictAndAMissingField() throws Exception {
        Report r = ReportBuilder.build(SyntheticRun.write(runDir, true), SyntheticRun.context(runDir, SuiteRun.Gate.MUST));
        JsonNode doc = written(r);
        ((ObjectNode) doc.path("clauses").get(0)).put("verdict", "SKIPPED");
        ((ObjectNode) doc.path("run")).remove("suite_version");
        Set<ValidationMessage> errors = schema.validate(doc);
        assertThat(errors).extracting(ValidationMessage::getMessage)
                .anySatisfy(m -> assertThat(m).contains("verdict"))
                .anySatisfy(m -> assertThat(m).contains("suite_version"));
    }
}
