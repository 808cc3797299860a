package dev.vmclock.report;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.PropertyNamingStrategies;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.vmclock.harness.ExitCode;
import dev.vmclock.harness.HarnessException;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Reads and writes report.json. Writes {@link Report#SCHEMA}; reads it and {@link Report#SCHEMA_V1} (a baseline
 * or a run kept from before v2), and refuses any other schema with one line.
 */
public final class ReportJson {

    public static final String FILE_NAME = "report.json";

    /** snake_case on the wire, camelCase records in Java. */
    static final ObjectMapper MAPPER = new ObjectMapper()
            .setPropertyNamingStrategy(PropertyNamingStrategies.SNAKE_CASE)
            .enable(SerializationFeature.INDENT_OUTPUT)
            .disable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES);

    private ReportJson() {
    }

    public static String toJson(Object value) {
        try {
            return MAPPER.writeValueAsString(value);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("cannot render JSON: " + e.getMessage(), e);
        }
    }

    /** Writes {@code dir/report.json}; an unwritable directory is exit code 6. */
    public static Path write(Report report, Path dir) {
        Path file = dir.resolve(FILE_NAME);
        try {
            Files.writeString(file, toJson(report) + "\n");
        } catch (IOException e) {
            throw notWritable(file, e);
        }
        return file;
    }

    /**
     * The report of a run directory, or a report.json itself; a missing file or an unknown schema is a usage
     * error (exit 2).
     */
    public static Report read(Path runDir) {
        Path file = Files.isRegularFile(runDir) ? runDir : runDir.resolve(FILE_NAME);
        if (!Files.isRegularFile(file)) {
            throw new HarnessException(ExitCode.USAGE, runDir + " has no " + FILE_NAME
                    + ": pass a directory written by ./vmclock-conformance run --out DIR");
        }
        JsonNode tree;
        try {
            tree = MAPPER.readTree(file.toFile());
        } catch (IOException e) {
            String why = e instanceof JsonProcessingException j ? j.getOriginalMessage() : e.getMessage();
            throw new HarnessException(ExitCode.USAGE, file + " is not readable JSON (" + why
                    + "): rerun ./vmclock-conformance run to write it again", e);
        }
        String schema = tree.path("schema").asText("");
        if (Report.SCHEMA_V1.equals(schema) && tree instanceof ObjectNode o) {
            fromV1(o);
        } else if (!Report.SCHEMA.equals(schema)) {
            String found = schema.isEmpty() ? "no schema field" : "schema '" + schema + "'";
            throw new HarnessException(ExitCode.USAGE, file + " has " + found + ", this version reads "
                    + Report.SCHEMA + " and " + Report.SCHEMA_V1
                    + ": rerun ./vmclock-conformance run with this version to write it again");
        }
        try {
            return MAPPER.treeToValue(tree, Report.class);
        } catch (JsonProcessingException e) {
            throw new HarnessException(ExitCode.USAGE, file + " does not follow " + schema + " ("
                    + e.getOriginalMessage() + ")", e);
        }
    }

    /**
     * A v1 report as v2, in place: v1 knew only QEMU, so its {@code qemu} object is the VMM {@code qemu} with the
     * image's {@code packages} as details, and a hop's {@code destination}/{@code machine} become {@code vmm}/
     * {@code machine_type}. Everything else is the same in both.
     */
    static void fromV1(ObjectNode report) {
        report.put("schema", Report.SCHEMA);
        if (report.get("implementation") instanceof ObjectNode impl) {
            impl.set("vmm", vmmOfV1(impl.remove("qemu")));
            if (impl.get("hop") instanceof ObjectNode hop) {
                hop.set("vmm", vmmOfV1(hop.remove("destination")));
                hop.set("machine_type", hop.remove("machine"));
            }
        }
    }

    private static JsonNode vmmOfV1(JsonNode qemu) {
        if (!(qemu instanceof ObjectNode q)) {
            return qemu;
        }
        ObjectNode vmm = MAPPER.createObjectNode().put("name", "qemu");
        vmm.set("version", q.get("version"));
        vmm.set("path", q.get("path"));
        vmm.set("where", q.get("where"));
        vmm.set("details", q.get("packages"));
        return vmm;
    }

    static HarnessException notWritable(Path file, Exception e) {
        return new HarnessException(ExitCode.OUTPUT_NOT_WRITABLE, "cannot write " + file + " ("
                + e.getClass().getSimpleName() + ": " + e.getMessage() + "): choose a writable directory with --out", e);
    }
}
