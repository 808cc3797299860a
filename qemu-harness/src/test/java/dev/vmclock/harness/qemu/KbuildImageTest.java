package dev.vmclock.harness.qemu;

import static org.assertj.core.api.Assertions.assertThat;

import dev.vmclock.images.GuestImageBuilder;
import java.time.Duration;
import org.junit.jupiter.api.Test;

/** The guest's module build image has working headers: a trivial out-of-tree module compiles in it. */
class KbuildImageTest {

    /** The guest image's kernel when one is cached (what the module must match), else the one measured in FACTS.md. */
    private static String kernelAbi() {
        return new GuestImageBuilder().cached().map(g -> g.kernelRelease().replaceFirst("-cloud-amd64$", ""))
                .orElse("7.3.4+deb13");
    }

    @Test
    void compilesAnOutOfTreeModuleAgainstTheHeaders() throws Exception {
        String abi = kernelAbi();
        String tag = DebianQemuImage.shipped().kbuild(abi);
        String headers = "/usr/src/linux-headers-" + abi + "-cloud-amd64";
        String script = String.join("\n",
                "set -e",
                "mkdir -p /tmp/m && cd /tmp/m",
                "printf '#include <linux/module.h>\\nMODULE_LICENSE(\"GPL\");\\n' > smoke.c",
                "echo 'obj-m := smoke.o' > Kbuild",
                "make -s -C " + headers + " M=/tmp/m modules",
                "test -f smoke.ko && echo built",
                "ls /usr/src/linux-source-*.tar.*");
        Command.Result r = Command.of("docker", "run", "--rm", "--network", "none", tag, "sh", "-c", script)
                .run(Duration.ofMinutes(3));
        assertThat(r.exitCode()).as(r.stderr()).isZero();
        assertThat(r.stdout()).contains("built").contains("/usr/src/linux-source-");
        assertThat(DebianQemuImage.versions(tag).orElseThrow().version("linux-headers-" + abi + "-cloud-amd64")).isNotBlank();
    }
}
