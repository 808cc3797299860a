package dev.vmclock.conformance.junit;

import dev.vmclock.conformance.vm.VmTarget;
import dev.vmclock.conformance.view.VmclockView;
import dev.vmclock.conformance.view.VirtioRtcGuestView;
import dev.vmclock.conformance.view.TargetHistory;
import dev.vmclock.conformance.vm.WithoutCapabilities;
import dev.vmclock.conformance.vm.ResolvedTarget;
import dev.vmclock.conformance.vm.TargetDecorator;
import dev.vmclock.conformance.vm.TargetOptions;
import dev.vmclock.conformance.vm.VmmProvider;
import dev.vmclock.conformance.view.VirtioRtcView;

import org.junit.jupiter.api.extension.AfterTestExecutionCallback;
import org.junit.jupiter.api.extension.BeforeTestExecutionCallback;
import org.junit.jupiter.api.extension.ExtensionContext;
import org.junit.jupiter.api.extension.ExtensionContext.StoreScope;
import org.junit.jupiter.api.extension.ParameterContext;
import org.junit.jupiter.api.extension.ParameterResolver;
import org.opentest4j.TestAbortedException;

/**
 * Gives conformance tests the {@link VmTarget} and its device views. The configuration comes resolved
 * from the Launcher session ({@link #CONFIG}, put there by the runner) or, under Maven or an IDE, is
 * resolved once from the {@code vmclock.*} parameters. One target per configuration lives in the root
 * store, so the whole run shares one booted guest and JUnit stops it when the run ends (passed, failed or
 * aborted). Around each test it opens the test's evidence directory and publishes its path.
 */
public final class TargetExtension implements ParameterResolver, BeforeTestExecutionCallback, AfterTestExecutionCallback {

    public static final String EVIDENCE_ENTRY = "vmclock.evidence";
    /** Where the runner leaves the resolved {@link TargetConfig} in the Launcher session's store. */
    public static final ExtensionContext.Namespace NS = ExtensionContext.Namespace.create(TargetExtension.class);
    public static final Class<ResolvedTarget> CONFIG = ResolvedTarget.class;
    /** Where the runner may leave the run's {@link Targets}, made before JUnit starts (see {@link Targets#bootEarly}). */
    public static final Class<Targets> TARGETS = Targets.class;

    @Override
    public boolean supportsParameter(ParameterContext parameter, ExtensionContext context) {
        Class<?> type = parameter.getParameter().getType();
        return type == VmTarget.class || type == VmclockView.class || type == VirtioRtcGuestView.class;
    }

    @Override
    public Object resolveParameter(ParameterContext parameter, ExtensionContext context) {
        Class<?> type = parameter.getParameter().getType();
        if (type == VirtioRtcGuestView.class) {
            return targets(context).virtioRtcGuest();
        }
        return type == VmclockView.class ? targets(context).vmclock() : targets(context).target();
    }

    static Targets targets(ExtensionContext context) {
        Targets prepared = context.getStore(StoreScope.LAUNCHER_SESSION, NS).get(TARGETS, Targets.class);
        if (prepared != null) {
            return prepared;
        }
        ResolvedTarget carried = context.getStore(StoreScope.LAUNCHER_SESSION, NS).get(CONFIG, ResolvedTarget.class);
        Object key = carried != null ? carried : TargetOptions.from(context::getConfigurationParameter);
        return context.getRoot().getStore(NS).getOrComputeIfAbsent(key, k -> new Targets(carried != null ? carried
                : VmmProvider.named(((TargetOptions) k).vmm()).resolve((TargetOptions) k)), Targets.class);
    }

    @Override
    public void beforeTestExecution(ExtensionContext context) {
        VmTarget t = targets(context).target();
        t.beginTest(context.getRequiredTestClass().getSimpleName() + "." + context.getRequiredTestMethod().getName());
        context.publishReportEntry(EVIDENCE_ENTRY, t.evidence().directory().toString());
    }

    @Override
    public void afterTestExecution(ExtensionContext context) {
        targets(context).target().endTest(context.getExecutionException()
                .filter(e -> !(e instanceof TestAbortedException)).isPresent());
    }

    /**
     * The target of one configuration (decorated when the configuration names a fault) and its views. Made by
     * the first test that asks, in the run's root store; or by the runner before JUnit starts, left in the
     * Launcher session's store ({@link #TARGETS}) and closed by the runner.
     */
    public static final class Targets implements ExtensionContext.Store.CloseableResource, AutoCloseable {
        private final ResolvedTarget resolved;
        private final VmTarget opened;
        private final VmTarget target;
        private final VmclockView vmclock;
        private final VirtioRtcGuestView virtioRtcGuest;
        private VirtioRtcView virtioRtc;
        private boolean closed;

        public Targets(ResolvedTarget resolved) {
            this.resolved = resolved;
            this.opened = resolved.open();
            this.target = WithoutCapabilities.of(resolved.options().fault().map(TargetDecorator::named)
                    .map(d -> d.decorate(opened)).orElse(opened), resolved.options().without());
            // One history per target, its host pages observed by the VMClock view from the start (see TargetHistory).
            TargetHistory history = new TargetHistory(target);
            this.vmclock = new VmclockView(target, history);
            this.virtioRtcGuest = new VirtioRtcGuestView(target, history);
        }

        VmTarget target() {
            return target;
        }

        /** Starts the guest's boot now, in the background (see {@link VmTarget#startEarly}). */
        public void bootEarly() {
            target.startEarly();
        }

        /** The view is made, and the boot page read, before the first test that asks does anything. */
        synchronized VmclockView vmclock() {
            vmclock.captureBootPage();
            return vmclock;
        }

        VirtioRtcGuestView virtioRtcGuest() {
            return virtioRtcGuest;
        }

        /** The device-level view, on the target's device bus; its checks' evidence beside the others'. */
        synchronized VirtioRtcView virtioRtc() {
            if (virtioRtc == null) {
                virtioRtc = new VirtioRtcView(target, resolved.evidenceDir());
            }
            return virtioRtc;
        }

        /** Once: the runner closes what it made, and a session store may close what it holds as well. */
        @Override
        public synchronized void close() {
            if (!closed) {
                closed = true;
                opened.close();
            }
        }
    }
}
