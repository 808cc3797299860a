package dev.vmclock.conformance.run;

import static org.junit.platform.engine.discovery.DiscoverySelectors.selectPackage;

import dev.vmclock.conformance.Clause;
import dev.vmclock.conformance.spec.SpecMap;
import java.lang.reflect.Method;
import java.util.Arrays;
import java.util.Map;
import dev.vmclock.conformance.junit.TargetExtension;
import dev.vmclock.conformance.vm.ResolvedTarget;
import dev.vmclock.conformance.vm.TargetDecorator;
import dev.vmclock.conformance.vm.TargetOptions;
import dev.vmclock.conformance.vm.VmmProvider;
import org.junit.platform.engine.support.store.Namespace;
import org.junit.platform.launcher.LauncherSession;
import java.util.Set;
import java.util.function.Consumer;
import org.junit.platform.engine.FilterResult;
import org.junit.platform.engine.support.descriptor.MethodSource;
import org.junit.platform.launcher.LauncherDiscoveryRequest;
import org.junit.platform.launcher.PostDiscoveryFilter;
import org.junit.platform.launcher.TestExecutionListener;
import org.junit.platform.launcher.core.LauncherDiscoveryRequestBuilder;
import org.junit.platform.launcher.core.LauncherConfig;
import org.junit.platform.launcher.core.LauncherFactory;

/**
 * Runs the suite through the JUnit Platform Launcher: what the CLI does, and what the project's own
 * tests do against good and deliberately broken targets.
 */
public final class SuiteRunner {

    public static final String SUITE_PACKAGE = "dev.vmclock.conformance.suite";

    private SuiteRunner() {
    }

    /** Resolves {@code options} once through the provider they name ({@code --vmm}), then runs the suite on that target. */
    public static SuiteRun run(TargetOptions options, Set<String> select, Consumer<TestOutcome> progress,
                               TestExecutionListener... listeners) {
        return run(options, TargetDecorator.NONE, select, progress, listeners);
    }

    /**
     * As {@link #run(TargetOptions, Set, Consumer, TestExecutionListener...)} on the target wrapped by {@code decorator}:
     * how the project's own tests run the suite against deliberately broken implementations.
     */
    public static SuiteRun run(TargetOptions options, TargetDecorator decorator, Set<String> select,
                               Consumer<TestOutcome> progress, TestExecutionListener... listeners) {
        return launch(VmmProvider.named(options.vmm()).resolve(options), decorator, select, progress, listeners);
    }

    /**
     * @param target    the implementation under test, resolved; carried to the suite by the Launcher session
     * @param select    clause ids ({@code VMC-SEQ-03}, {@code VRTC-READ-02}), areas ({@code SEQ}, {@code VRTC-READ})
     *                  or whole specs ({@code VMC}, {@code VRTC}); empty selects everything
     * @param progress  called as each test finishes
     * @param listeners further listeners (reports)
     */
    public static SuiteRun run(ResolvedTarget target, Set<String> select, Consumer<TestOutcome> progress,
                               TestExecutionListener... listeners) {
        return launch(target, TargetDecorator.NONE, select, progress, listeners);
    }

    private static SuiteRun launch(ResolvedTarget target, TargetDecorator decorator, Set<String> select,
                                   Consumer<TestOutcome> progress, TestExecutionListener... listeners) {
        // The typed configuration travels in the Launcher session; the parameters only name the run in its report.
        Map<String, String> params = target.options().parameters();
        SpecMap map = SpecMap.load();
        LauncherDiscoveryRequest request = LauncherDiscoveryRequestBuilder.request()
                .selectors(selectPackage(SUITE_PACKAGE))
                .filters(bySelection(select))
                // One shared target per run: tests run in the order JUnit gives, on one thread.
                .configurationParameter("junit.jupiter.execution.parallel.enabled", "false")
                .build();
        VerdictListener verdicts = new VerdictListener(progress);
        long t0 = System.nanoTime();
        TestExecutionListener[] all = Arrays.copyOf(listeners, listeners.length + 1);
        all[listeners.length] = verdicts;
        // Listeners come only from the caller: a listener that registers itself through the classpath
        // (Allure's does) would otherwise write results into the working directory.
        LauncherConfig launcher = LauncherConfig.builder().enableTestExecutionListenerAutoRegistration(false)
                .enablePostDiscoveryFilterAutoRegistration(false).build();
        try (LauncherSession session = LauncherFactory.openSession(launcher);
             TargetExtension.Targets targets = new TargetExtension.Targets(target, decorator)) {
            if (needsGuest(select)) {
                targets.bootEarly(); // overlaps discovery and class loading
            }
            Namespace ns = Namespace.create(TargetExtension.NS.getParts().toArray());
            session.getStore().put(ns, TargetExtension.CONFIG, target);
            session.getStore().put(ns, TargetExtension.DECORATOR, decorator);
            session.getStore().put(ns, TargetExtension.TARGETS, targets);
            session.getLauncher().execute(request, all);
        }
        return SuiteRun.of(map, params, verdicts.outcomes(), java.time.Duration.ofNanos(System.nanoTime() - t0),
                verdicts.containerFailure());
    }

    /**
     * Whether the selection has a check that needs the booted guest: every VMClock check and virtio-rtc's guest
     * checks (VRTC-GUEST); the other virtio-rtc checks drive the device on a machine of their own, which an early
     * boot would only slow down.
     */
    static boolean needsGuest(Set<String> select) {
        return select.isEmpty() || select.stream().anyMatch(s -> !s.startsWith("VRTC-") || s.startsWith("VRTC-GUEST"));
    }

    /** Whether {@code id} ({@code PREFIX-AREA-NN}) is picked by an id, its spec, its area, or its spec and area. */
    static boolean selects(Set<String> select, String id) {
        String[] p = id.split("-");
        return select.contains(id) || select.contains(p[0]) || select.contains(p[1]) || select.contains(p[0] + "-" + p[1]);
    }

    private static PostDiscoveryFilter bySelection(Set<String> select) {
        return descriptor -> {
            if (select.isEmpty() || !descriptor.isTest()) {
                return FilterResult.included("all");
            }
            Method m = descriptor.getSource().filter(MethodSource.class::isInstance).map(MethodSource.class::cast)
                    .map(MethodSource::getJavaMethod).orElse(null);
            Clause c = m == null ? null : m.getAnnotation(Clause.class);
            boolean hit = c != null && Arrays.stream(c.value()).anyMatch(id -> selects(select, id));
            return hit ? FilterResult.included("selected") : FilterResult.excluded("not selected");
        };
    }
}
