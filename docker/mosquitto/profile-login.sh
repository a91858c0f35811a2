#!/bin/sh
# Hands one MQTT login to compose's Mosquitto for as long as this runs: the simulator-login service of the compose
# profile "simulator" runs it, so that the user "simulator" exists on the services' listener only with that profile.
# It writes "<user>.login" (one "user:hash" line, hashed by mosquitto_passwd: the password itself is never stored)
# into the profile-logins folder that the mosquitto service reads, and touches it every
# LOOPFLOW_PROFILE_LOGIN_REFRESH seconds (default 10). docker/mosquitto/start.sh counts a login while its file is
# younger than its lease (30 s) and reloads Mosquitto's password file when that changes, so the login goes away
# within the lease once this stops (at once on SIGTERM: docker compose stop/down removes the file).
# Environment: LOOPFLOW_PROFILE_LOGIN_USER, LOOPFLOW_PROFILE_LOGIN_PASSWORD; MOSQUITTO_PROFILE_LOGINS moves the folder.
set -eu
user="${LOOPFLOW_PROFILE_LOGIN_USER:?must be set: the MQTT user to hand over}"
password="${LOOPFLOW_PROFILE_LOGIN_PASSWORD:?must be set: that user's password}"
dir="${MOSQUITTO_PROFILE_LOGINS:-/mosquitto/profile-logins}"
refresh="${LOOPFLOW_PROFILE_LOGIN_REFRESH:-10}"
if [ "${#password}" -lt 12 ]; then
  echo "loopflow profile login: the password of '$user' is shorter than 12 characters" >&2
  exit 1
fi

umask 077
printf '%s:%s\n' "$user" "$password" > "$dir/.$user.new"
mosquitto_passwd -U "$dir/.$user.new"
mv "$dir/.$user.new" "$dir/$user.login"
echo "loopflow profile login: '$user' handed to the broker (lease refreshed every ${refresh} s)"

trap 'rm -f "$dir/$user.login"; echo "loopflow profile login: '"'"'$user'"'"' withdrawn"; exit 0' TERM INT
while :; do
  touch "$dir/$user.login"
  sleep "$refresh" &
  wait $! || true
done
