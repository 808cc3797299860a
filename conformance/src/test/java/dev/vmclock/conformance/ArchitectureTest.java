package dev.vmclock.conformance;

import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.noClasses;

import com.tngtech.archunit.core.domain.JavaClasses;
import com.tngtech.archunit.core.importer.ClassFileImporter;
import com.tngtech.archunit.core.importer.ImportOption;
import org.junit.jupiter.api.Test;

/**
 * The provider seam holds: the contract ({@code vm}), the device views and history ({@code view}), the checks
 * ({@code suite}), the JUnit glue and the runner know a hypervisor only through {@code VmTarget}, so Firecracker,
 * Cloud Hypervisor or a vendor's adapter plug in where QEMU does. Only the QEMU provider ({@code conformance.qemu})
 * reaches QEMU's processes, options and QMP.
 */
class ArchitectureTest {

    private static final JavaClasses SUITE = new ClassFileImporter()
            .withImportOption(ImportOption.Predefined.DO_NOT_INCLUDE_TESTS).importPackages("dev.vmclock.conformance");

    @Test
    void onlyTheQemuProviderReachesQemu() {
        noClasses().that().resideInAnyPackage("dev.vmclock.conformance.vm..", "dev.vmclock.conformance.view..",
                        "dev.vmclock.conformance.suite..", "dev.vmclock.conformance.junit..",
                        "dev.vmclock.conformance.run..", "dev.vmclock.conformance.clock..", "dev.vmclock.conformance.spec..")
                .should().dependOnClassesThat().resideInAnyPackage("dev.vmclock.conformance.qemu..",
                        "dev.vmclock.harness.qemu..", "dev.vmclock.harness.qmp..")
                .because("VMM-neutral code knows a hypervisor only through VmTarget and its providers")
                .check(SUITE);
    }
}
