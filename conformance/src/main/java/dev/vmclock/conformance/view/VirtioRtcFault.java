package dev.vmclock.conformance.view;

import dev.vmclock.harness.memory.IoBus;

/**
 * A deliberately broken virtio-rtc device, made from the real one by standing between it and the suite's
 * driver on the bus (rewriting a response in guest memory after the device wrote it, misreporting a
 * feature...). Implementations live with the project's own tests and are found through
 * {@link java.util.ServiceLoader}; {@code vmclock.vrtcFault=<id>} selects one. The shipped suite has none.
 */
public interface VirtioRtcFault {

    String id();

    IoBus wrap(IoBus device);
}
