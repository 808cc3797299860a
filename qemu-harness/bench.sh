#!/usr/bin/env bash
# Prints the harness's timings on this machine (see HarnessBenchmark). Usage: qemu-harness/bench.sh [ROUNDS]
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
cd "$root"
./mvnw -q -B -DskipTests install -pl qemu-harness -am >/dev/null || { echo "bench: build failed; run ./mvnw -pl qemu-harness -am install" >&2; exit 10; }
./mvnw -q -B -pl qemu-harness dependency:build-classpath -Dmdep.outputFile=target/bench.classpath -Dmdep.includeScope=test >/dev/null || { echo "bench: build failed; run ./mvnw -pl qemu-harness -am install" >&2; exit 10; }
./mvnw -q -B -pl qemu-harness test-compile >/dev/null || { echo "bench: build failed; run ./mvnw -pl qemu-harness -am install" >&2; exit 10; }
exec java -cp "qemu-harness/target/test-classes:qemu-harness/target/classes:$(cat qemu-harness/target/bench.classpath)" \
  dev.vmclock.harness.bench.HarnessBenchmark "$@"
