package dev.vmclock.conformance.run;

import dev.vmclock.conformance.Verdict;
import java.time.Duration;
import java.util.List;
import java.util.Optional;

/** One conformance test's result, as a verdict on each clause it cites. */
public record TestOutcome(String testPackage, String testClass, String method, List<String> clauses, Verdict verdict,
                          String message, Duration duration, Optional<String> evidenceDir) {

    /** The test class's fully qualified name (JUnit XML's classname). */
    public String qualifiedClass() {
        return testPackage.isEmpty() ? testClass : testPackage + "." + testClass;
    }

    /** {@code Class#method}, as spec-map.md names tests. */
    public String testName() {
        return testClass + "#" + method;
    }
}
