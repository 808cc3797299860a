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

import java.util.List;
import java.util.Objects;
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
    /** Where the runner leaves the decorator it was given beside {@link #CONFIG} (none: the target as it is). */
    public static final Class<TargetDecorator> DECORATOR = TargetDecorator.class;
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
        ExtensionContext.Store session = context.getStore(StoreScope.LAUNCHER_SESSION, NS);
        Targets prepared = session.get(TARGETS, Targets.class);
        if (prepared != null) {
            return prepared;
        }
        ResolvedTarget carried = session.get(CONFIG, ResolvedTarget.class);
        if (carried != null) {
            TargetDecorator decorator = Objects.requireNonNullElse(session.get(DECORATOR, TargetDecorator.class),
                    TargetDecorator.NONE);
            return context.getRoot().getStore(NS).getOrComputeIfAbsent(List.of(carried, decorator),
                    k -> new Targets(carried, decorator), Targets.class);
        }
        TargetOptions options = TargetOptions.from(context::getConfigurationParameter);
        return context.getRoot().getStore(NS).getOrComputeIfAbsent(options,
                k -> new Targets(VmmProvider.named(options.vmm()).resolve(options), TargetDecorator.NONE), Targets.class);
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
     * The target of one configuration (wrapped by the run's decorator, if it has one) and its views. Made by
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

        public Targets(ResolvedTarget resolved, TargetDecorator decorator) {
            this.resolved = resolved;
            this.opened = resolved.open();
            // The decorator is part of the implementation (a broken device); --without is what the suite is shown of
            // it. So the decorator sits inside: its own page reads and writes reach the real target whatever is
            // hidden, and nothing it forwards can bring a hidden capability back.
            this.target = WithoutCapabilities.of(decorator.decorate(opened), resolved.options().without());
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
