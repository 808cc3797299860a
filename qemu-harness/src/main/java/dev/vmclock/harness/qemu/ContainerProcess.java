package dev.vmclock.harness.qemu;

import dev.vmclock.harness.Waits;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

/**
 * A QEMU inside a container, seen through its {@code docker exec} client: alive while the client is (it
 * returns when QEMU exits, with QEMU's status). A forced kill goes to QEMU itself, by the pid it wrote.
 */
final class ContainerProcess extends Process {

    private final Process client;
    private final QemuContainer container;
    private final Path pidfile;

    ContainerProcess(Process client, QemuContainer container, Path pidfile) {
        this.client = client;
        this.container = container;
        this.pidfile = pidfile;
    }

    @Override
    public Process destroyForcibly() {
        try {
            awaitPidfile();
            if (client.isAlive() && Files.exists(pidfile)) {
                container.kill(Long.parseLong(Files.readString(pidfile).strip()));
            }
        } catch (IOException | NumberFormatException e) {
            // The container may be gone already (and QEMU with it): nothing left to kill.
        }
        client.destroyForcibly();
        return this;
    }

    /** QEMU writes its pidfile early in start-up; a kill right after the start must still find it. */
    private void awaitPidfile() {
        Waits.poll(Duration.ofSeconds(2), Duration.ofMillis(10), () -> !client.isAlive() || Files.exists(pidfile), done -> done);
    }

    @Override
    public void destroy() {
        destroyForcibly();
    }

    @Override
    public OutputStream getOutputStream() {
        return client.getOutputStream();
    }

    @Override
    public InputStream getInputStream() {
        return client.getInputStream();
    }

    @Override
    public InputStream getErrorStream() {
        return client.getErrorStream();
    }

    @Override
    public int waitFor() throws InterruptedException {
        return client.waitFor();
    }

    @Override
    public boolean waitFor(long timeout, TimeUnit unit) throws InterruptedException {
        return client.waitFor(timeout, unit);
    }

    @Override
    public int exitValue() {
        return client.exitValue();
    }

    @Override
    public boolean isAlive() {
        return client.isAlive();
    }

    /** The {@code docker exec} client's pid (the host has no process of QEMU's own). */
    @Override
    public long pid() {
        return client.pid();
    }

    @Override
    public CompletableFuture<Process> onExit() {
        return client.onExit().thenApply(p -> this);
    }

    @Override
    public ProcessHandle toHandle() {
        return client.toHandle();
    }
}
