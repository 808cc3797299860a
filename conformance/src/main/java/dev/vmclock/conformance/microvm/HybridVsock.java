package dev.vmclock.conformance.microvm;

import dev.vmclock.harness.guest.AgentClient;
import java.io.IOException;
import java.nio.file.Path;
import java.util.Optional;
import java.util.ServiceLoader;

/**
 * The host end of "hybrid vsock", the guest channel Firecracker and Cloud Hypervisor both offer: their unix socket,
 * {@code CONNECT <port>\n} answered {@code OK <port>\n}, then the agent's protocol. The transport itself lives in the
 * harness (harness.guest); the providers reach it through this interface, found with {@link ServiceLoader}, so that
 * a build without it declares no GUEST_AGENT (the checks needing the guest are NOT_APPLICABLE naming it) instead of
 * failing mid-run.
 */
public interface HybridVsock {

    /** The guest port the suite's agent listens on over vsock (vmclock-agent.c VSOCK_PORT). */
    int AGENT_PORT = dev.vmclock.harness.guest.HybridVsockEndpoint.AGENT_PORT;

    /** A connection to {@code port} in the guest behind the VMM's hybrid-vsock socket {@code uds}. */
    AgentClient connect(Path uds, int port) throws IOException;

    /** The transport on the class path, if this build has one. */
    static Optional<HybridVsock> installed() {
        return ServiceLoader.load(HybridVsock.class).findFirst();
    }
}
