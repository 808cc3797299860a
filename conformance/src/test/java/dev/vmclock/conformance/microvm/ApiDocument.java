package dev.vmclock.conformance.microvm;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import com.networknt.schema.JsonSchemaFactory;
import com.networknt.schema.SpecVersion;
import com.networknt.schema.ValidationMessage;
import java.io.IOException;
import java.io.InputStream;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

/**
 * A VMM's API document (vendored under test resources/vmm-api, Apache-2.0), to check a provider's request against it:
 * the path and method exist, the operation id matches when the document gives one, a body is sent exactly when the
 * operation takes one, the body validates against its schema, and every property in it is one the schema declares
 * (the documents do not forbid unknown properties, but a VMM refuses them, so a typo must fail here).
 */
public final class ApiDocument {

    private final JsonNode doc;
    private final String base;

    private ApiDocument(JsonNode doc, String base) {
        this.doc = doc;
        this.base = base;
    }

    /** {@code name} under /vmm-api; {@code base} is stripped from request paths (Cloud Hypervisor's /api/v1). */
    public static ApiDocument load(String name, String base) {
        try (InputStream in = ApiDocument.class.getResourceAsStream("/vmm-api/" + name)) {
            return new ApiDocument(new ObjectMapper(new YAMLFactory()).readTree(in), base);
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }

    /** Problems of {@code r} against the document; empty when it conforms. */
    public List<String> problems(ApiRequest r) {
        List<String> p = new ArrayList<>();
        if (!r.path().startsWith(base)) {
            return List.of("path " + r.path() + " is not under " + base);
        }
        JsonNode op = doc.path("paths").path(r.path().substring(base.length())).path(r.method().toLowerCase(Locale.ROOT));
        if (op.isMissingNode()) {
            return List.of("no " + r.method() + " " + r.path() + " in the document");
        }
        if (op.has("operationId") && !op.get("operationId").asText().equals(r.operationId())) {
            p.add("operationId " + op.get("operationId").asText() + ", request says " + r.operationId());
        }
        JsonNode schema = bodySchema(op);
        if (schema == null) {
            if (r.body().isPresent()) {
                p.add("the operation takes no body, the request sends " + r.body().get());
            }
            return p;
        }
        if (r.body().isEmpty()) {
            p.add("the operation takes a body, the request sends none");
            return p;
        }
        JsonNode inlined = inline(schema);
        Set<ValidationMessage> messages = JsonSchemaFactory.getInstance(SpecVersion.VersionFlag.V4).getSchema(inlined)
                .validate(r.body().get());
        messages.forEach(m -> p.add(m.getMessage()));
        undeclared(inlined, r.body().get(), "$", p);
        return p;
    }

    /** Asserts {@code r} conforms. */
    public void check(ApiRequest r) {
        assertThat(problems(r)).as("%s against the API document", r).isEmpty();
    }

    private JsonNode bodySchema(JsonNode op) {
        for (JsonNode param : op.path("parameters")) {
            if (param.path("in").asText().equals("body")) {
                return param.get("schema"); // Swagger 2.0 (Firecracker)
            }
        }
        JsonNode rb = op.path("requestBody").path("content").path("application/json").path("schema");
        return rb.isMissingNode() ? null : rb; // OpenAPI 3.0 (Cloud Hypervisor)
    }

    /** The schema with every local $ref replaced by what it names (the VMMs' schemas are not recursive). */
    private JsonNode inline(JsonNode node) {
        if (node.isObject()) {
            if (node.has("$ref")) {
                JsonNode target = doc.at(node.get("$ref").asText().substring(1));
                if (target.isMissingNode()) {
                    throw new IllegalStateException("dangling " + node.get("$ref"));
                }
                return inline(target);
            }
            ObjectNode copy = ((ObjectNode) node).objectNode();
            for (Iterator<Map.Entry<String, JsonNode>> it = node.fields(); it.hasNext(); ) {
                Map.Entry<String, JsonNode> e = it.next();
                copy.set(e.getKey(), inline(e.getValue()));
            }
            return copy;
        }
        if (node.isArray()) {
            var copy = ((com.fasterxml.jackson.databind.node.ArrayNode) node).arrayNode();
            node.forEach(n -> copy.add(inline(n)));
            return copy;
        }
        return node;
    }

    private static void undeclared(JsonNode schema, JsonNode body, String at, List<String> p) {
        if (body.isObject()) {
            JsonNode props = schema.path("properties");
            for (Iterator<String> it = body.fieldNames(); it.hasNext(); ) {
                String f = it.next();
                if (!props.has(f)) {
                    p.add(at + "." + f + " is not a property the document declares");
                } else {
                    undeclared(props.get(f), body.get(f), at + "." + f, p);
                }
            }
        }
    }
}
