package dev.vmclock.conformance.vm;

import dev.vmclock.harness.Device;
import dev.vmclock.images.GuestImage;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;

/**
 * The implementation under test, resolved once by its {@link VmmProvider}: typed, probed, described. The runner
 * carries it to the suite; equal configurations share one target (and one booted guest).
 */
public interface ResolvedTarget {

    /** The options it was resolved from. */
    TargetOptions options();

    /** The record the console's first line, report.json, JUnit XML and Allure print. */
    Implementation implementation();

    /** Where the run's evidence goes (a directory per check under it). */
    Path evidenceDir();

    /** The time devices the target's machine has. */
    List<Device> devices();

    /** The guest image the target boots, when it boots one. */
    Optional<GuestImage> image();

    /** One line: the implementation and every option changed from stock (evidence, report). */
    String describe();

    /** The run's target; the caller closes it when the run ends. */
    VmTarget open();
}
