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

    public static final String SCHEMA = "/dev/vmclock/report/report-v1.schema.json";
    private static JsonSchema schema;

    @TempDir
    Path runDir;

    @BeforeAll
    static void loadSchema() throws Exception {
        schema = load();
    }

    /** The published v1 schema, for any test that checks a report.json. */
    public static JsonSchema load() throws Exception {
        try (InputStream in = ReportSchemaTest.class.getResourceAsStream(SCHEMA)) {
            assertThat(in).as(SCHEMA + " on the classpath").isNotNull();
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
        RunContext ctx = new RunContext(new Report.Implementation(base.qemu(), base.machine(), base.accelerator(), image,
                Implementations.currentHost()), java.time.Instant.now(), Implementations.suiteVersion(),
                Optional.of("time-off"), java.util.List.of("VMC-CONST-02", "FLAGS"), SuiteRun.Gate.SHOULD, runDir);
        Report r = ReportBuilder.build(broken, ctx);
        assertThat(r.gateResult().containerFailure()).contains("QEMU exited");
        assertThat(schema.validate(written(r))).isEmpty();
    }

    @Test
    void reportOfACrossVersionHopValidatesAndNamesTheDestination() throws Exception {
        Report.Implementation base = SyntheticRun.implementation();
        Report.Hop hop = new Report.Hop(new Report.Qemu("qemu-system-x86_64", "11.1.3",
                "vmclock-conformance/qemu-debian:trixie-backports-0", java.util.Map.of("qemu-system-x86", "1:11.1.3")),
                "pc-q35-10.0");
        RunContext ctx = new RunContext(new Report.Implementation(base.qemu(), "pc-q35-10.0", base.accelerator(),
                base.guestImage(), base.host(), hop), java.time.Instant.now(), Implementations.suiteVersion(),
                Optional.empty(), java.util.List.of(), SuiteRun.Gate.MUST, runDir);
        JsonNode doc = written(ReportBuilder.build(SyntheticRun.write(runDir, true), ctx));
        assertThat(schema.validate(doc)).isEmpty();
        assertThat(doc.at("/implementation/hop/destination/version").asText()).isEqualTo("11.1.3");
        assertThat(doc.at("/implementation/hop/machine").asText()).isEqualTo("pc-q35-10.0");
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
