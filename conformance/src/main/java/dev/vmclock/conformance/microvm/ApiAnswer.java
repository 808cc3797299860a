package dev.vmclock.conformance.microvm;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.util.Optional;

/** A VMM's answer to one {@link ApiRequest}: the status and the body as sent. */
public record ApiAnswer(int status, String body) {

    private static final ObjectMapper JSON = new ObjectMapper();

    public boolean ok() {
        return status >= 200 && status < 300;
    }

    /** The body as JSON, when it is JSON. */
    public Optional<JsonNode> json() {
        if (body.isBlank()) {
            return Optional.empty();
        }
        try {
            return Optional.of(JSON.readTree(body));
        } catch (IOException e) {
            return Optional.empty();
        }
    }

    /**
     * What the VMM said went wrong, on one line: Firecracker's {@code fault_message}, else the body itself (Cloud
     * Hypervisor answers errors as text or as a JSON array of causes).
     */
    public String fault() {
        Optional<JsonNode> j = json();
        if (j.isPresent() && j.get().hasNonNull("fault_message")) {
            return oneLine(j.get().get("fault_message").asText());
        }
        if (j.isPresent() && j.get().isArray()) {
            StringBuilder sb = new StringBuilder();
            j.get().forEach(n -> sb.append(sb.length() == 0 ? "" : ": ").append(n.asText()));
            return oneLine(sb.toString());
        }
        return body.isBlank() ? "(no body)" : oneLine(body);
    }

    private static String oneLine(String s) {
        return s.strip().replaceAll("\\s*\\R\\s*", " ");
    }

    @Override
    public String toString() {
        return status + (body.isBlank() ? "" : " " + oneLine(body));
    }
}
