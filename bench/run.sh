#!/bin/sh
# Builds the bench module with the reactor (nothing installed into ~/.m2) and runs one benchmark.
#   bench/run.sh ingest  [--readings 100000] [--brokers hivemq,mosquitto] [--paced-seconds 10] [--deadline 120] [--out FILE]
#   bench/run.sh streams [--readings 100000] [--out FILE]
#   bench/run.sh pipeline [--readings 100000] [--warmup 10000] [--paced-seconds 10] [--deadline 300] [--backlog-seconds 3600] [--backlog-deadline 900] [--out FILE]
#   bench/run.sh import  [--rows 1000000] [--deadline 600] [--out FILE]
#   bench/run.sh jmh     [--out FILE]            (the JMH suite with ratios to its baselines)
#   bench/run.sh jmh-raw [JMH options, e.g. -l, or a benchmark regex]   (JMH's own command line)
# JVM options: BENCH_JAVA_OPTS (default: a fixed 2 GiB heap, touched at start, as the stream processor is run; see bench/README.md). BENCH_SKIP_BUILD=1 reuses the last build. MAVEN_OPTS_OFFLINE=-o builds offline.
set -eu
cd "$(dirname "$0")/.."
what="${1:?usage: bench/run.sh ingest|streams|pipeline|import|jmh|jmh-raw [options]}"
shift
if [ "${BENCH_SKIP_BUILD:-0}" != 1 ]; then
  mvn -q -B ${MAVEN_OPTS_OFFLINE:-} -Pbench -pl bench -am package -DskipTests
fi
cp="bench/target/classes:$(cat bench/target/bench-classpath.txt)"
# A heap that neither grows nor shrinks during the run: G1 growing its young generation into fresh pages, and giving
# them back after the System.gc() between rows, made whichever row came next pay for page faults (half the stream
# thread's time in the kernel zeroing pages), and made RSS growth a measure of G1's sizing rather than of the code.
opts="${BENCH_JAVA_OPTS:--Xms2g -Xmx2g -XX:+AlwaysPreTouch}"
case "$what" in
  ingest)  exec java $opts -cp "$cp" io.loopflow.bench.IngestBench "$@" ;;
  streams) exec java $opts -cp "$cp" io.loopflow.bench.StreamsBench "$@" ;;
  pipeline) exec java $opts -cp "$cp" io.loopflow.bench.PipelineBench "$@" ;;
  import)  exec java $opts -cp "$cp" io.loopflow.bench.ImportBench "$@" ;;
  jmh)     exec java $opts -cp "$cp" io.loopflow.bench.JmhBench "$@" ;;
  jmh-raw) exec java $opts -cp "$cp" org.openjdk.jmh.Main "$@" ;;
  *) echo "unknown benchmark '$what': ingest, streams, pipeline, import, jmh or jmh-raw" >&2; exit 2 ;;
esac
