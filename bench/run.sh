#!/bin/sh
# Builds the bench module with the reactor (nothing installed into ~/.m2) and runs one benchmark.
#   bench/run.sh ingest  [--readings 100000] [--brokers hivemq,mosquitto] [--paced-seconds 10] [--deadline 120] [--out FILE]
#   bench/run.sh streams [--readings 100000] [--out FILE]
#   bench/run.sh pipeline [--readings 100000] [--warmup 10000] [--paced-seconds 10] [--deadline 300] [--backlog-seconds 3600] [--backlog-deadline 900] [--out FILE]
#   bench/run.sh import  [--rows 1000000] [--deadline 600] [--out FILE]
#   bench/run.sh jmh     [--out FILE]            (the JMH suite with ratios to its baselines)
#   bench/run.sh jmh-raw [JMH options, e.g. -l, or a benchmark regex]   (JMH's own command line)
# JVM options: BENCH_JAVA_OPTS (default -Xmx4g). BENCH_SKIP_BUILD=1 reuses the last build. MAVEN_OPTS_OFFLINE=-o builds offline.
set -eu
cd "$(dirname "$0")/.."
what="${1:?usage: bench/run.sh ingest|streams|pipeline|import|jmh|jmh-raw [options]}"
shift
if [ "${BENCH_SKIP_BUILD:-0}" != 1 ]; then
  mvn -q -B ${MAVEN_OPTS_OFFLINE:-} -Pbench -pl bench -am package -DskipTests
fi
cp="bench/target/classes:$(cat bench/target/bench-classpath.txt)"
case "$what" in
  ingest)  exec java ${BENCH_JAVA_OPTS:--Xmx4g} -cp "$cp" io.loopflow.bench.IngestBench "$@" ;;
  streams) exec java ${BENCH_JAVA_OPTS:--Xmx4g} -cp "$cp" io.loopflow.bench.StreamsBench "$@" ;;
  pipeline) exec java ${BENCH_JAVA_OPTS:--Xmx4g} -cp "$cp" io.loopflow.bench.PipelineBench "$@" ;;
  import)  exec java ${BENCH_JAVA_OPTS:--Xmx4g} -cp "$cp" io.loopflow.bench.ImportBench "$@" ;;
  jmh)     exec java ${BENCH_JAVA_OPTS:--Xmx4g} -cp "$cp" io.loopflow.bench.JmhBench "$@" ;;
  jmh-raw) exec java ${BENCH_JAVA_OPTS:--Xmx4g} -cp "$cp" org.openjdk.jmh.Main "$@" ;;
  *) echo "unknown benchmark '$what': ingest, streams, pipeline, import, jmh or jmh-raw" >&2; exit 2 ;;
esac
