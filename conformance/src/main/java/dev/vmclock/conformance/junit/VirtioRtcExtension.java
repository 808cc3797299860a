package dev.vmclock.conformance.junit;

import dev.vmclock.conformance.view.VirtioRtcView;

import org.junit.jupiter.api.extension.BeforeTestExecutionCallback;
import org.junit.jupiter.api.extension.ExtensionContext;
import org.junit.jupiter.api.extension.ParameterContext;
import org.junit.jupiter.api.extension.ParameterResolver;

/**
 * Gives device-level virtio-rtc checks the {@link VirtioRtcView}: one per run, on the device bus of the target
 * {@link TargetExtension} shares (stopped with it), reset and renegotiated before every check, with the check's
 * evidence directory published as TargetExtension does.
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

    /** The run's view, from the target {@link TargetExtension} shares: one device per run, on the target's bus. */
    static VirtioRtcView view(ExtensionContext context) {
        return TargetExtension.targets(context).virtioRtc();
    }

    @Override
    public void beforeTestExecution(ExtensionContext context) {
        VirtioRtcView v = view(context);
        v.beginTest(context.getRequiredTestClass().getSimpleName() + "." + context.getRequiredTestMethod().getName());
        context.publishReportEntry(TargetExtension.EVIDENCE_ENTRY, v.evidence().directory().toString());
    }
}
