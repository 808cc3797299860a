package dev.vmclock.cli;

import dev.vmclock.harness.ExitCode;
import dev.vmclock.harness.HarnessException;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/** {@code --name value} and {@code --flag} options of one sub-command; anything else is a usage error. */
final class Options {

    private final Map<String, String> values = new HashMap<>();
    private final List<String> positional = new ArrayList<>();

    private Options() {
    }

    static Options parse(List<String> args, Set<String> valued, Set<String> flags) {
        Options o = new Options();
        for (int i = 0; i < args.size(); i++) {
            String a = args.get(i);
            if (a.startsWith("--")) {
                String name = a;
                String value = null;
                int eq = a.indexOf('=');
                if (eq > 0) {
                    name = a.substring(0, eq);
                    value = a.substring(eq + 1);
                }
                if (valued.contains(name)) {
                    if (value == null) {
                        if (i + 1 >= args.size()) {
                            throw usage(name + " needs a value");
                        }
                        value = args.get(++i);
                    }
                    o.values.put(name, value);
                } else if (flags.contains(name) && value == null) {
                    o.values.put(name, "true");
                } else {
                    throw usage("unknown option " + a);
                }
            } else {
                o.positional.add(a);
            }
        }
        return o;
    }

    static HarnessException usage(String message) {
        return new HarnessException(ExitCode.USAGE, message + " (see ./vmclock-conformance --help)");
    }

    Optional<String> value(String name) {
        return Optional.ofNullable(values.get(name));
    }

    boolean flag(String name) {
        return values.containsKey(name);
    }

    List<String> positional() {
        return positional;
    }
}
