package dev.vmclock.harness.adapter;

import com.fasterxml.jackson.databind.JsonNode;
import java.nio.file.Path;
import java.util.Optional;

/**
 * Where the guest agent is reachable, as an adapter names it: {@code unix} (a socket joined to the virtio-serial port
 * {@code dev.vmclock.agent.0}) or {@code vsock-hybrid} (the Firecracker / Cloud Hypervisor socket, with a port).
 */
public record AgentAddress(String transport, Path path, int port) {

    public static final String UNIX = "unix";
    public static final String VSOCK_HYBRID = "vsock-hybrid";

    /** The endpoint in an answer's {@code agent} member, if it has one. */
    static Optional<AgentAddress> of(JsonNode answer) {
        JsonNode a = answer.path("agent");
        if (!a.isObject()) {
            return Optional.empty();
        }
        return Optional.of(new AgentAddress(a.path("transport").asText(), Path.of(a.path("path").asText()),
                a.path("port").asInt(0)));
    }
}
