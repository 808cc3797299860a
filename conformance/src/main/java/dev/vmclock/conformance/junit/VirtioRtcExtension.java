package dev.vmclock.conformance.junit;

import dev.vmclock.conformance.view.VirtioRtcView;
import dev.vmclock.conformance.qemu.TargetConfig;
import dev.vmclock.conformance.qemu.VirtioRtcConfig;

import org.junit.jupiter.api.extension.BeforeTestExecutionCallback;
import org.junit.jupiter.api.extension.ExtensionContext;
import org.junit.jupiter.api.extension.ExtensionContext.StoreScope;
import org.junit.jupiter.api.extension.ParameterContext;
import org.junit.jupiter.api.extension.ParameterResolver;

/**
 * Gives device-level virtio-rtc checks the {@link VirtioRtcView}: one per configuration in the JUnit root
 * store (so one QEMU per run, stopped when the run ends), reset and renegotiated before every check, with
 * the check's evidence directory published as TargetExtension does.
 */
public final class VirtioRtcExtension implements ParameterResolver, BeforeTestExecutionCallback {

    private static final ExtensionContext.Namespace NS = ExtensionContext.Namespace.create(VirtioRtcExtension.class);

    @Override
    public boolean supportsParameter(ParameterContext parameter, ExtensionContext context) {
        return parameter.getParameter().getType() == VirtioRtcView.class;
    }

    @Override
    public Object resolveParameter(ParameterContext parameter, ExtensionContext context) {
        return view(context);
    }

    static VirtioRtcView view(ExtensionContext context) {
        VirtioRtcConfig config = VirtioRtcConfig.from(context::getConfigurationParameter);
        // The runner carries the resolved target: its QEMU, not a second look-up from the same strings.
        TargetConfig carried = context.getStore(StoreScope.LAUNCHER_SESSION, TargetExtension.NS)
                .get(TargetExtension.CONFIG, TargetConfig.class);
        return context.getRoot().getStore(NS).getOrComputeIfAbsent(config, c -> carried != null
                ? VirtioRtcView.create(config, carried.qemu()) : VirtioRtcView.create(config), VirtioRtcView.class);
    }

    @Override
    public void beforeTestExecution(ExtensionContext context) {
        VirtioRtcView v = view(context);
        v.beginTest(context.getRequiredTestClass().getSimpleName() + "." + context.getRequiredTestMethod().getName());
        context.publishReportEntry(TargetExtension.EVIDENCE_ENTRY, v.evidence().directory().toString());
    }
}
