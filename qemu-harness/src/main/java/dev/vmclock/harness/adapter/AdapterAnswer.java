package dev.vmclock.harness.adapter;

import com.fasterxml.jackson.databind.JsonNode;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/** An {@code ok: true} answer: its members, and for events the adapter's timing and its VMM transcript. */
public record AdapterAnswer(JsonNode body) {

    /** One line of what the adapter asked of its VMM ({@code to_vmm}) or heard back ({@code from_vmm}). */
    public record VmmLine(String direction, String text) {
    }

    public String text(String member) {
        return body.path(member).asText();
    }

    /** The event's duration as the adapter measured it; empty when it did not say. */
    public Optional<Duration> elapsed() {
        JsonNode e = body.path("elapsed_ms");
        return e.isNumber() ? Optional.of(Duration.ofNanos(Math.round(e.asDouble() * 1_000_000))) : Optional.empty();
    }

    public List<VmmLine> transcript() {
        List<VmmLine> lines = new ArrayList<>();
        body.path("transcript").forEach(l -> lines.add(new VmmLine(l.path("direction").asText(), l.path("text").asText())));
        return lines;
    }

    public Optional<AgentAddress> agent() {
        return AgentAddress.of(body);
    }

    /** The guest console's log file the adapter keeps, when it names one (optional in v1). */
    public Optional<java.nio.file.Path> console() {
        JsonNode c = body.path("console");
        return c.isTextual() && !c.asText().isEmpty() ? Optional.of(java.nio.file.Path.of(c.asText())) : Optional.empty();
    }
}
