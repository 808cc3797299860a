package dev.vmclock.harness.guest;

import java.io.IOException;

/**
 * Where the guest's agent answers, as the hypervisor carrying the guest offers it: a unix socket onto a
 * virtio-serial port (QEMU), or a hybrid vsock socket (Firecracker, Cloud Hypervisor, an adapter's choice). The
 * process behind it may change across events (a live migration, a restore): {@link #generation()} says when.
 */
public interface AgentEndpoint extends AutoCloseable {

    /** Names the process that carries the guest now; a new value means the session must reconnect. */
    long generation();

    /** A new connection to the agent in the process that carries the guest now. */
    AgentClient connect() throws IOException;

    /** Empty while the process runs; once it has gone, why (for a one-line error). */
    java.util.Optional<String> gone();

    /** The last lines of the guest's console, when the hypervisor keeps one. */
    String consoleTail(int lines);

    /** Keeps the run's files as evidence and names where the guest's console is. */
    String keepEvidence();

    /** Stops the machine behind the endpoint. */
    @Override
    void close();
}
