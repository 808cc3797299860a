package dev.vmclock.harness.guest;

import java.util.Arrays;
import java.util.Locale;
import java.util.stream.Collectors;

/** How the host reaches the guest agent; the agent serves both and uses whichever the machine has. */
public enum AgentTransport {
    /** A virtio-serial (virtio-console) port named {@code dev.vmclock.agent.0}: QEMU's default. */
    VIRTIO_SERIAL,
    /** vsock port {@link HybridVsockEndpoint#AGENT_PORT}, reached through a hybrid vsock unix socket. */
    VSOCK;

    /** As the command line names it: {@code virtio-serial}, {@code vsock}. */
    public String cliName() {
        return name().toLowerCase(Locale.ROOT).replace('_', '-');
    }

    /** {@code virtio-serial} or {@code vsock} (case and {@code _}/{@code -} ignored). */
    public static AgentTransport parse(String name) {
        for (AgentTransport t : values()) {
            if (t.cliName().equalsIgnoreCase(name.strip().replace('_', '-'))) {
                return t;
            }
        }
        throw new IllegalArgumentException("unknown agent transport '" + name + "': give "
                + Arrays.stream(values()).map(AgentTransport::cliName).collect(Collectors.joining(" or ")));
    }
}
