package dev.vmclock.harness.junit;

import dev.vmclock.harness.qemu.Machine;
import dev.vmclock.harness.qemu.MachineSpec;
import dev.vmclock.harness.qemu.QemuBinary;
import org.junit.jupiter.api.extension.ExtensionContext;
import org.junit.jupiter.api.extension.ParameterContext;
import org.junit.jupiter.api.extension.ParameterResolver;

/**
 * Gives a test method a started {@link Machine} (q35, TCG, vmclock, firmware only) and stops it when
 * the test ends, passed or failed: the machine is stored as a closeable resource in the test's own
 * store, which JUnit closes whatever happened. The QEMU binary is probed once per run (root store).
 */
public final class MachineExtension implements ParameterResolver {

    private static final ExtensionContext.Namespace NS = ExtensionContext.Namespace.create(MachineExtension.class);

    @Override
    public boolean supportsParameter(ParameterContext parameter, ExtensionContext context) {
        return parameter.getParameter().getType() == Machine.class;
    }

    @Override
    public Object resolveParameter(ParameterContext parameter, ExtensionContext context) {
        QemuBinary qemu = context.getRoot().getStore(NS)
                .getOrComputeIfAbsent(QemuBinary.class, k -> QemuBinary.locate(null).requireVmclock(), QemuBinary.class);
        Machine machine = Machine.start(qemu, MachineSpec.builder().build());
        context.getStore(NS).put(parameter.getIndex(), (ExtensionContext.Store.CloseableResource) machine::close);
        return machine;
    }
}
