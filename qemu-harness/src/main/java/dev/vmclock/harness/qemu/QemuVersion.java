package dev.vmclock.harness.qemu;

import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** A QEMU version as printed by {@code --version}, e.g. 10.0.2. */
public record QemuVersion(int major, int minor, int micro) implements Comparable<QemuVersion> {

    /** The first release with {@code -device vmclock}. */
    public static final QemuVersion FIRST_WITH_VMCLOCK = new QemuVersion(10, 0, 0);

    private static final Pattern VERSION = Pattern.compile("version (\\d+)\\.(\\d+)(?:\\.(\\d+))?");

    public static QemuVersion parse(String versionOutput) {
        Matcher m = VERSION.matcher(versionOutput);
        if (!m.find()) {
            throw new IllegalArgumentException("no QEMU version in '"
                    + versionOutput.strip().lines().findFirst().orElse("") + "'");
        }
        return new QemuVersion(Integer.parseInt(m.group(1)), Integer.parseInt(m.group(2)),
                m.group(3) == null ? 0 : Integer.parseInt(m.group(3)));
    }

    @Override
    public int compareTo(QemuVersion o) {
        int c = Integer.compare(major, o.major);
        if (c == 0) {
            c = Integer.compare(minor, o.minor);
        }
        return c != 0 ? c : Integer.compare(micro, o.micro);
    }

    @Override
    public String toString() {
        return major + "." + minor + "." + micro;
    }
}
