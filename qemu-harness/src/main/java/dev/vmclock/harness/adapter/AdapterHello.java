package dev.vmclock.harness.adapter;

import java.util.List;
import java.util.Map;

/** The adapter's answer to {@code hello}: what it can do, which devices it gives, and what it runs. */
public record AdapterHello(String protocol, List<String> capabilities, List<String> devices,
                           Implementation implementation) {

    /** The implementation record, as the adapter describes its VMM. */
    public record Implementation(String vmm, String version, String path, String where, String machine,
                                 String accelerator, String acceleratorReason, Map<String, String> details) {
    }
}
