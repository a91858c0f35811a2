#!/bin/sh
# Writes Mosquitto's password file, then runs Mosquitto:
#  - the plants' and the operator's users from docker/mosquitto/credentials (user:password lines);
#  - LoopFlow's own users, gateway and simulator, with the passwords the compose file also gives those
#    services (LOOPFLOW_GATEWAY_MQTT_PASSWORD, LOOPFLOW_SIMULATOR_MQTT_PASSWORD): one variable each, so the
#    broker and the client cannot disagree.
# Paths default to the container's; MOSQUITTO_CONFIG_DIR, MOSQUITTO_DATA_DIR and MOSQUITTO_CONF move them
# (the access test runs this script against Debian's mosquitto).
set -eu
config_dir="${MOSQUITTO_CONFIG_DIR:-/mosquitto/config}"
data_dir="${MOSQUITTO_DATA_DIR:-/mosquitto/data}"
conf="${MOSQUITTO_CONF:-$config_dir/mosquitto.conf}"
: "${LOOPFLOW_GATEWAY_MQTT_PASSWORD:?must be set: the gateway user's MQTT password}"
: "${LOOPFLOW_SIMULATOR_MQTT_PASSWORD:?must be set: the simulator user's MQTT password}"

umask 077
{
  grep -v '^#' "$config_dir/credentials" | grep ':'
  echo "gateway:$LOOPFLOW_GATEWAY_MQTT_PASSWORD"
  echo "simulator:$LOOPFLOW_SIMULATOR_MQTT_PASSWORD"
} > "$data_dir/passwd"
mosquitto_passwd -U "$data_dir/passwd"
# Mosquitto drops root for its own user, which must still read the file.
if [ "$(id -u)" = 0 ] && id mosquitto > /dev/null 2>&1; then
  chown mosquitto:mosquitto "$data_dir/passwd"
fi
exec mosquitto -c "$conf"
