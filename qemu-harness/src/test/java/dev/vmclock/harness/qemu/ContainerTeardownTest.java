package dev.vmclock.harness.qemu;

import static org.assertj.core.api.Assertions.assertThat;

import dev.vmclock.harness.Qemu;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * A container target leaves nothing behind when its JVM is killed with SIGKILL: no shutdown hook runs and
 * setpriv's parent-death signal cannot reach into the container, so the stdin lifeline must end it.
 */
class ContainerTeardownTest {

    @Test
    void containerAndItsQemuGoWhenTheJvmIsKilledWithSigkill() throws Exception {
        HostQemuImage.ensureBuilt(Qemu.binary()); // built here, so the child's start-up is quick
        Path java = Path.of(System.getProperty("java.home"), "bin", "java");
        Process child = new ProcessBuilder(java.toString(), "-cp", System.getProperty("java.class.path"),
                ContainerChildJvm.class.getName()).redirectErrorStream(true).start();
        String id = null;
        String runDir = null;
        try (BufferedReader out = new BufferedReader(new InputStreamReader(child.getInputStream()))) {
            String line;
            while ((line = out.readLine()) != null) {
                if (line.startsWith("RUN_DIR=")) {
                    runDir = line.substring("RUN_DIR=".length());
                }
                if (line.startsWith("CONTAINER_ID=")) {
                    id = line.substring("CONTAINER_ID=".length());
                    break;
                }
            }
            assertThat(id).as("child JVM reported its container").isNotBlank();
            assertThat(Docker.processes(id)).contains("qemu-system");
            child.destroyForcibly(); // SIGKILL: no shutdown hook runs
            assertThat(child.waitFor(20, TimeUnit.SECONDS)).isTrue();
        } finally {
            child.destroyForcibly();
        }
        long deadline = System.nanoTime() + Duration.ofSeconds(20).toNanos();
        while (Docker.containerExists(id) && System.nanoTime() < deadline) {
            Thread.sleep(100);
        }
        assertThat(Docker.containerExists(id)).as("container %s after its JVM was killed", id).isFalse();
        // The container's processes are visible from the host's pid namespace: its QEMU must be gone too.
        String qemuDir = runDir;
        assertThat(qemuDir).isNotBlank();
        assertThat(ProcessHandle.allProcesses().map(p -> p.info().commandLine().orElse(""))
                .filter(c -> c.contains("qemu-system") && c.contains(qemuDir))).isEmpty();
    }
}
