package dev.vmclock.conformance.microvm;

import dev.vmclock.harness.guest.AgentClient;
import dev.vmclock.harness.guest.HybridVsockEndpoint;
import java.io.IOException;
import java.nio.file.Path;

/** The harness's hybrid vsock transport ({@link HybridVsockEndpoint}) behind the providers' seam. */
public final class HarnessHybridVsock implements HybridVsock {

    @Override
    public AgentClient connect(Path uds, int port) throws IOException {
        return HybridVsockEndpoint.open(uds, port, HybridVsockEndpoint.HANDSHAKE_TIMEOUT);
    }
}
