package dev.vmclock.harness.qmp;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.MissingNode;

/** An asynchronous QMP event, e.g. STOP, RESUME, MIGRATION, RESET, JOB_STATUS_CHANGE. */
public record QmpEvent(String name, JsonNode data, long timestampMicros) {

    /** {@code data.<field>} as text, or "" when absent. */
    public String dataText(String field) {
        JsonNode d = data == null ? MissingNode.getInstance() : data.path(field);
        return d.asText("");
    }

    public boolean is(String eventName) {
        return name.equals(eventName);
    }
}
