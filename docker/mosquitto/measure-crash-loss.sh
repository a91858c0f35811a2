#!/usr/bin/env bash
# What a Mosquitto crash (kill -9) loses with docker-compose's persistence settings, measured on Debian's mosquitto
# (apt-get install mosquitto mosquitto-clients). It runs the global part of docker/mosquitto/mosquitto.conf
# (everything before its first listener: persistence, queue limits, in-flight window) with one anonymous listener on
# 127.0.0.1, the persistence directory on the disk this script's temp dir is on, and for each setting:
#
#   offline  The gateway's persistent session (QoS 1, session expiry 1 h) exists but the gateway is away. A plant
#            publishes N QoS 1 readings; every one is acknowledged (PUBACK). Mosquitto is killed (-9) right after
#            the last PUBACK and started again; the gateway's session reconnects and counts what is left.
#   online   The gateway's session is connected (it acknowledges on receipt) while a plant publishes N readings;
#            Mosquitto is killed (-9) once half of them are acknowledged, then started again. Lost = readings the
#            plant got a PUBACK for that the gateway received neither before nor after the crash.
#
# Each line also gives the rate at which Mosquitto acknowledged the plant's readings (one connection, 20 in flight)
# and, offline, the rate at which the returning gateway's session received what was kept: saving the database costs
# time that grows with what is queued.
#
# Usage: docker/mosquitto/measure-crash-loss.sh [N] [setting ...]
#   N        readings per run (default 5000)
#   setting  autosave lines separated by ';', e.g. 'autosave_on_changes true;autosave_interval 1'; without any,
#            compose's own setting and the alternatives docs/docker-compose.md compares.
set -euo pipefail

here="$(cd "$(dirname "$0")" && pwd)"
n="${1:-5000}"
shift || true
if [ "$#" -eq 0 ]; then
  set -- "compose" "autosave_on_changes false;autosave_interval 60" "autosave_on_changes true;autosave_interval 1" \
    "autosave_on_changes true;autosave_interval 100" "autosave_on_changes true;autosave_interval 1000"
fi
mosquitto="$(command -v mosquitto || echo /usr/sbin/mosquitto)"
for tool in "$mosquitto" mosquitto_pub mosquitto_sub stdbuf; do
  command -v "$tool" > /dev/null || { echo "needs $tool: apt-get install mosquitto mosquitto-clients" >&2; exit 2; }
done

work="$(mktemp -d "${TMPDIR:-/var/tmp}/loopflow-crash-loss.XXXXXX")"
broker=""
cleanup() {
  if [ -n "$broker" ]; then kill -9 "$broker" 2> /dev/null || true; fi
  rm -rf "$work"
}
trap cleanup EXIT
topic='loopflow/v1/asnaes/meters/gypsum-to-gyproc/reading'
filter='loopflow/v1/+/meters/+/reading'

# compose's global settings, the autosave lines replaced by $1 unless it is "compose"
config() {
  local setting="$1" dir="$2" port="$3"
  sed -n '/^listener /q;p' "$here/mosquitto.conf" | grep -v '^log_' | sed "s#^persistence_location .*#persistence_location $dir/#" \
    | if [ "$setting" = compose ]; then cat; else grep -v '^autosave_'; fi > "$dir/mosquitto.conf"
  if [ "$setting" != compose ]; then tr ';' '\n' <<< "$setting" >> "$dir/mosquitto.conf"; fi
  { echo "log_dest file $dir/mosquitto.log"; echo "user $(id -un)"; echo "listener $port 127.0.0.1"; echo "allow_anonymous true"; } \
    >> "$dir/mosquitto.conf"
}

start_broker() {
  "$mosquitto" -c "$1/mosquitto.conf" 2> "$1/mosquitto.stderr" & broker=$!
  for _ in $(seq 100); do
    if mosquitto_sub -p "$2" -t '$SYS/broker/uptime' -C 1 -W 1 > /dev/null 2>&1; then return; fi
    sleep 0.1
  done
  echo "mosquitto did not start: $(cat "$1/mosquitto.log")" >&2
  exit 1
}

crash_broker() {
  kill -9 "$broker"
  wait "$broker" 2> /dev/null || true
  broker=""
}

readings() {
  seq 1 "$1" | sed 's/.*/{"ts":"2026-11-22T10:15:00Z","value":&,"seq":&}/'
}

# values of the readings the gateway's session holds: it connects again and again (3 s each) until one connection
# gets nothing more
gateway_drains() {
  local got
  while :; do
    got="$(mosquitto_sub -V mqttv5 -p "$1" -c -x 3600 -i loopflow-gateway-1 -q 1 -t "$filter" -W 3 2> /dev/null \
      | sed 's/.*"value":\([0-9]*\).*/\1/' || true)"
    [ -n "$got" ] || break
    printf '%s\n' "$got"
  done
}

rate() {
  awk -v n="$1" -v s="$2" 'BEGIN { printf "%.0f", (s > 0 ? n / s : 0) }'
}

offline() {
  local setting="$1" dir port t0 t1 t2 t3 kept
  dir="$(mktemp -d "$work/run.XXXXXX")"
  port=$((20000 + RANDOM % 20000))
  config "$setting" "$dir" "$port"
  start_broker "$dir" "$port"
  mosquitto_sub -V mqttv5 -p "$port" -c -x 3600 -i loopflow-gateway-1 -q 1 -t "$filter" -E
  t0=$(date +%s.%N)
  readings "$n" | mosquitto_pub -V mqttv5 -p "$port" -i asnaes -q 1 -l -t "$topic"
  t1=$(date +%s.%N)
  crash_broker
  start_broker "$dir" "$port"
  t2=$(date +%s.%N)
  kept=$(gateway_drains "$port" | sort -un | wc -l)
  t3=$(date +%s.%N)
  kill "$broker"; wait "$broker" 2> /dev/null || true; broker=""
  # the last connection of gateway_drains waited 3 s for nothing
  printf '%-52s offline  acknowledged %6d  kept %6d  lost %6d  acked/s %6s  drained/s %6s\n' "$setting" "$n" "$kept" $((n - kept)) \
    "$(rate "$n" "$(awk -v a="$t0" -v b="$t1" 'BEGIN { print b - a }')")" \
    "$(rate "$kept" "$(awk -v a="$t2" -v b="$t3" 'BEGIN { print b - a - 3 }')")"
}

online() {
  local setting="$1" dir port sub pub t0 t1 acked received lost
  dir="$(mktemp -d "$work/run.XXXXXX")"
  port=$((20000 + RANDOM % 20000))
  config "$setting" "$dir" "$port"
  start_broker "$dir" "$port"
  # line-buffered: the clients are killed after the crash, and what they printed must all be in their files
  stdbuf -oL mosquitto_sub -V mqttv5 -p "$port" -c -x 3600 -i loopflow-gateway-1 -q 1 -t "$filter" > "$dir/before" 2> /dev/null & sub=$!
  sleep 0.5
  t0=$(date +%s.%N)
  # -d prints "received PUBACK (Mid: m, RC:0)"; mosquitto_pub numbers its messages 1, 2, ... in the order read
  readings "$n" | stdbuf -oL mosquitto_pub -d -V mqttv5 -p "$port" -i asnaes -q 1 -l -t "$topic" > "$dir/pub" 2>&1 & pub=$!
  until [ "$(grep -c 'received PUBACK' "$dir/pub" || true)" -ge $((n / 2)) ]; do sleep 0.01; done
  t1=$(date +%s.%N)
  crash_broker
  kill "$sub" "$pub" 2> /dev/null || true
  wait "$sub" "$pub" 2> /dev/null || true
  grep 'received PUBACK' "$dir/pub" | sed 's/.*Mid: \([0-9]*\), RC:0).*/\1/' | sort -u > "$dir/acked"
  acked=$(wc -l < "$dir/acked")
  start_broker "$dir" "$port"
  { sed 's/.*"value":\([0-9]*\).*/\1/' "$dir/before"; gateway_drains "$port"; } | sort -u > "$dir/received"
  kill "$broker"; wait "$broker" 2> /dev/null || true; broker=""
  received=$(wc -l < "$dir/received")
  lost=$(comm -23 "$dir/acked" "$dir/received" | wc -l)
  printf '%-52s online   acknowledged %6d  received %6d  lost %6d  acked/s %6s\n' "$setting" "$acked" "$received" "$lost" \
    "$(rate "$acked" "$(awk -v a="$t0" -v b="$t1" 'BEGIN { print b - a }')")"
}

echo "mosquitto $("$mosquitto" -h | sed -n 's/^mosquitto version //p'), N=$n, load average $(cut -d' ' -f1-3 /proc/loadavg)," \
  "compose's setting: $(grep '^autosave_' "$here/mosquitto.conf" | tr '\n' ';')"
for setting in "$@"; do
  offline "$setting"
  online "$setting"
done
