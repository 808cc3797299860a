package dev.vmclock.harness.qemu;

import java.io.IOException;
import java.time.Duration;

/** What the Docker host has, asked through the docker CLI (independent of the code under test). */
final class Docker {
    private Docker() {
    }

    static boolean containerExists(String id) throws IOException {
        return Command.of("docker", "ps", "-aq", "--no-trunc", "--filter", "id=" + id).run(Duration.ofSeconds(20))
                .stdout().contains(id);
    }

    /** The process list inside a running container (empty when it is gone). */
    static String processes(String id) {
        try {
            return Command.of("docker", "exec", id, "ps", "-o", "args").run(Duration.ofSeconds(20)).stdout();
        } catch (IOException e) {
            return "";
        }
    }
}
