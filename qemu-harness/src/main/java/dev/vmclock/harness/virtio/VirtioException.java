package dev.vmclock.harness.virtio;

import dev.vmclock.harness.ExitCode;
import dev.vmclock.harness.HarnessException;

/** The device did not do what every virtio transport step needs (no answer in time, refused features...). */
public class VirtioException extends HarnessException {

    public VirtioException(String message) {
        super(ExitCode.HARNESS_ERROR, message);
    }
}
