package dev.vmclock.harness;

import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.noClasses;

import com.tngtech.archunit.core.domain.JavaClasses;
import com.tngtech.archunit.core.importer.ClassFileImporter;
import com.tngtech.archunit.core.importer.ImportOption;
import org.junit.jupiter.api.Test;

/**
 * The spec's own models (the VMClock page, virtio and its RTC messages, ACPI tables) describe what the devices
 * are, whatever hypervisor presents them: a Firecracker or Cloud Hypervisor target reads the same page and
 * speaks the same virtio. So they never reach for QEMU, QMP or a guest session.
 */
class ArchitectureTest {

    private static final JavaClasses HARNESS = new ClassFileImporter()
            .withImportOption(ImportOption.Predefined.DO_NOT_INCLUDE_TESTS).importPackages("dev.vmclock.harness");

    @Test
    void specModelsNeverImportQemuCode() {
        noClasses().that().resideInAnyPackage("dev.vmclock.harness.page..", "dev.vmclock.harness.virtio..",
                        "dev.vmclock.harness.acpi..")
                .should().dependOnClassesThat().resideInAnyPackage("dev.vmclock.harness.qemu..",
                        "dev.vmclock.harness.qmp..", "dev.vmclock.harness.events..", "dev.vmclock.harness.guest..")
                .because("the page, virtio and ACPI models mirror the spec, not one hypervisor")
                .check(HARNESS);
    }

    @Test
    void theGuestAgentIsVmmNeutral() {
        noClasses().that().resideInAPackage("dev.vmclock.harness.guest..")
                .should().dependOnClassesThat().resideInAnyPackage("dev.vmclock.harness.qemu..", "dev.vmclock.harness.qmp..")
                .because("any hypervisor's guest answers the same agent; booting it is the hypervisor's business (QemuGuest)")
                .check(HARNESS);
    }
}
