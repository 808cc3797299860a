package dev.vmclock.conformance.firecracker;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.vmclock.conformance.microvm.MicroVmResolved;
import dev.vmclock.conformance.vm.Capability;
import dev.vmclock.conformance.vm.VmmProfile;
import dev.vmclock.conformance.vm.VmmProvider;
import dev.vmclock.harness.Device;
import java.nio.file.Path;
import java.util.EnumSet;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The micro-VM profiles, stated without a binary, are what their targets declare: one source of truth. */
class FirecrackerProfileTest {

    @TempDir
    Path dir;

    @Test
    void profilesAreTheVmmsAsDocumented() {
        VmmProfile fc = VmmProvider.named("firecracker").profile();
        assertThat(fc.capabilities()).containsExactlyInAnyOrder(Capability.PAUSE_RESUME, Capability.FILE_RESTORE,
                Capability.GUEST_AGENT);
        assertThat(fc.devices()).containsExactly(Device.VMCLOCK);
        VmmProfile ch = VmmProvider.named("cloud-hypervisor").profile();
        assertThat(ch.capabilities()).containsExactlyInAnyOrder(Capability.PAUSE_RESUME, Capability.FILE_RESTORE,
                Capability.GUEST_AGENT, Capability.LIVE_MIGRATION);
        assertThat(ch.devices()).containsExactly(Device.VIRTIO_RTC);
        assertThat(ch.why(Capability.DEVICE_BUS)).hasValueSatisfying(w -> assertThat(w).contains("no device-level bus"));
        assertThat(fc.why(Capability.LIVE_MIGRATION)).contains("no live migration");
        assertThat(VmmProvider.named("qemu").profile().lacking()).isEmpty();
        assertThat(VmmProvider.named("qemu").profile().why(Capability.HYPERVISOR_WRITER)).hasValueSatisfying(
                w -> assertThat(w).contains("TCG"));
    }

    @Test
    void aProfileSaysWhyForEveryCapabilityItLacks() {
        assertThatThrownBy(() -> new VmmProfile(EnumSet.of(Capability.GUEST_AGENT), List.of(Device.VMCLOCK),
                Map.of(Capability.SNAPSHOT, "no savevm"), Map.of(), "x"))
                .hasMessageContaining("says why for exactly the capabilities it lacks");
    }

    @Test
    void targetsDeclareTheirProfile() {
        MicroVmResolved r = new MicroVmResolved(null, null, null, List.of(Device.VMCLOCK), null, null, dir, null);
        assertThat(new FirecrackerTarget(r).capabilities()).isEqualTo(FirecrackerProvider.PROFILE.capabilities())
                .isEqualTo(EnumSet.of(Capability.PAUSE_RESUME, Capability.FILE_RESTORE, Capability.GUEST_AGENT));
    }
}
