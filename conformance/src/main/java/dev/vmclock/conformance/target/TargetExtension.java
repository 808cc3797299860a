package dev.vmclock.conformance.target;

import org.junit.jupiter.api.extension.AfterTestExecutionCallback;
import org.junit.jupiter.api.extension.BeforeTestExecutionCallback;
import org.junit.jupiter.api.extension.ExtensionContext;
import org.junit.jupiter.api.extension.ParameterContext;
import org.junit.jupiter.api.extension.ParameterResolver;

/**
 * Gives conformance tests the {@link Target}. One target per configuration lives in the root store, so
 * the whole run shares one booted guest and JUnit stops it when the run ends (passed, failed or aborted).
 * Around each test it opens the test's evidence directory and publishes its path as a report entry.
 */
public final class TargetExtension implements ParameterResolver, BeforeTestExecutionCallback, AfterTestExecutionCallback {

    public static final String EVIDENCE_ENTRY = "vmclock.evidence";
    private static final ExtensionContext.Namespace NS = ExtensionContext.Namespace.create(TargetExtension.class);

    @Override
    public boolean supportsParameter(ParameterContext parameter, ExtensionContext context) {
        return parameter.getParameter().getType() == Target.class;
    }

    @Override
    public Object resolveParameter(ParameterContext parameter, ExtensionContext context) {
        return target(context);
    }

    static Target target(ExtensionContext context) {
        TargetConfig config = TargetConfig.from(context::getConfigurationParameter);
        return context.getRoot().getStore(NS).getOrComputeIfAbsent(config, c -> Target.create(config), Target.class);
    }

    @Override
    public void beforeTestExecution(ExtensionContext context) {
        Target t = target(context);
        t.beginTest(context.getRequiredTestClass().getSimpleName() + "." + context.getRequiredTestMethod().getName());
        context.publishReportEntry(EVIDENCE_ENTRY, t.evidence().directory().toString());
    }

    @Override
    public void afterTestExecution(ExtensionContext context) {
        target(context).endTest(context.getExecutionException()
                .filter(e -> !(e instanceof org.opentest4j.TestAbortedException)).isPresent());
    }
}
