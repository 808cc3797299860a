package dev.vmclock.conformance.firecracker;

import dev.vmclock.conformance.microvm.KvmHost;

/** The provider with a given KVM host, for tests in other packages. */
public record FirecrackerProviderAccess(KvmHost kvm) {
    public FirecrackerProvider provider() {
        return new FirecrackerProvider(kvm);
    }
}
