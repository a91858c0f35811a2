#!/bin/sh
# Starts Mosquitto with docker/mosquitto/mosquitto.conf after writing what that file reads from the data dir:
#  - passwd: the plants' and the operator's users (listeners 8883 and 1883) from the mounted credentials file
#    (user:password lines, written by docker/make-env.sh). Refused: a user name that is not a site id, one that
#    begins with "loopflow-" (the prefix of the client ids of LoopFlow's services: on the plants' listeners the
#    client id is the user name), and a password shorter than 12 characters.
#  - passwd-services: LoopFlow's users on the services' listener (1885): "gateway" with the password the compose
#    file also gives the gateway service (LOOPFLOW_GATEWAY_MQTT_PASSWORD), plus the logins a compose profile hands
#    over in the profile-logins folder: a file "<user>.login" holding one hashed "user:hash" line (the simulator's,
#    from the simulator-login service of the profile "simulator", docker/mosquitto/profile-login.sh). A login
#    counts while its file was touched less than LOOPFLOW_PROFILE_LOGIN_LEASE seconds ago (default 30): the
#    handing service touches it while it runs, so the user disappears when the profile is not running.
#  - tls/server.crt and tls/server.key: the plants' TLS listener's certificate and key, copied from the mounted
#    folder (docker/tls/make-trial-ca.sh makes a trial one) so that Mosquitto, which reads them after dropping
#    root for its own user, can read them.
# While Mosquitto runs, the profile logins are checked every LOOPFLOW_PROFILE_LOGIN_POLL seconds (default 5); when
# they change, passwd-services is written again and Mosquitto reloads it (SIGHUP), which also disconnects a client
# whose login is gone.
# Paths default to the container's; MOSQUITTO_CONFIG_DIR, MOSQUITTO_DATA_DIR, MOSQUITTO_CONF, MOSQUITTO_CREDENTIALS,
# MOSQUITTO_TLS_DIR and MOSQUITTO_PROFILE_LOGINS move them (the access test runs this script on Debian's mosquitto).
set -eu
config_dir="${MOSQUITTO_CONFIG_DIR:-/mosquitto/config}"
data_dir="${MOSQUITTO_DATA_DIR:-/mosquitto/data}"
conf="${MOSQUITTO_CONF:-$config_dir/mosquitto.conf}"
credentials="${MOSQUITTO_CREDENTIALS:-$config_dir/credentials}"
tls_dir="${MOSQUITTO_TLS_DIR:-/mosquitto/tls}"
profile_logins="${MOSQUITTO_PROFILE_LOGINS:-/mosquitto/profile-logins}"
lease="${LOOPFLOW_PROFILE_LOGIN_LEASE:-30}"
poll="${LOOPFLOW_PROFILE_LOGIN_POLL:-5}"
min_password=12

fail() {
  echo "loopflow mosquitto: $*" >&2
  exit 1
}

: "${LOOPFLOW_GATEWAY_MQTT_PASSWORD:?must be set: the gateway user's MQTT password (docker/make-env.sh writes one to .env)}"
if [ "${#LOOPFLOW_GATEWAY_MQTT_PASSWORD}" -lt "$min_password" ]; then
  fail "LOOPFLOW_GATEWAY_MQTT_PASSWORD is shorter than $min_password characters"
fi

umask 077
owned_by_broker() {
  # Mosquitto drops root for its own user before it reads these files.
  if [ "$(id -u)" = 0 ] && id mosquitto > /dev/null 2>&1; then
    chown mosquitto:mosquitto "$@"
  fi
}

# The plants' users.
if [ ! -f "$credentials" ]; then
  fail "no plant users: $credentials is missing (run docker/make-env.sh, which writes docker/mosquitto/credentials from credentials.example)"
fi
: > "$data_dir/passwd.new"
while IFS= read -r line || [ -n "$line" ]; do
  case "$line" in '' | '#'*) continue ;; esac
  user="${line%%:*}"
  password="${line#*:}"
  [ "$user" != "$line" ] || fail "$credentials: line '$user' is not user:password"
  printf '%s\n' "$user" | grep -Eqx '[a-z0-9][a-z0-9._-]{0,63}' \
    || fail "$credentials: user '$user' is not a site id (1-64 characters of a-z 0-9 - _ . starting with a letter or digit)"
  case "$user" in loopflow-*) fail "$credentials: user '$user' begins with 'loopflow-', the prefix of LoopFlow's services' client ids" ;; esac
  [ "${#password}" -ge "$min_password" ] \
    || fail "$credentials: the password of user '$user' is shorter than $min_password characters (docker/make-env.sh writes random ones)"
  printf '%s:%s\n' "$user" "$password" >> "$data_dir/passwd.new"
done < "$credentials"
mosquitto_passwd -U "$data_dir/passwd.new"
owned_by_broker "$data_dir/passwd.new"
mv "$data_dir/passwd.new" "$data_dir/passwd"

# The TLS listener's certificate, if the configuration has one.
if grep -q '^certfile ' "$conf"; then
  if [ ! -s "$tls_dir/server.crt" ] || [ ! -s "$tls_dir/server.key" ]; then
    fail "no certificate for the plants' TLS listener: $tls_dir must hold server.crt and server.key" \
      "(the folder LOOPFLOW_MQTT_TLS_DIR, default docker/tls/mosquitto; docker/tls/make-trial-ca.sh makes a trial one)"
  fi
  mkdir -p "$data_dir/tls"
  cp "$tls_dir/server.crt" "$tls_dir/server.key" "$data_dir/tls/"
  owned_by_broker "$data_dir/tls" "$data_dir/tls/server.crt" "$data_dir/tls/server.key"
fi

# Profile logins whose lease is running, as "file checksum" lines: a change means passwd-services must change.
fresh_logins() {
  [ -d "$profile_logins" ] || return 0
  now="$(date +%s)"
  for f in "$profile_logins"/*.login; do
    # A file removed meanwhile (its profile stopped) is skipped.
    modified="$(stat -c %Y "$f" 2> /dev/null)" || continue
    if [ $((now - modified)) -lt "$lease" ]; then
      printf '%s %s\n' "$f" "$(cksum < "$f")"
    fi
  done
}

# Returns non-zero if a step fails (explicitly: inside "if", set -e does not apply).
write_services_passwd() {
  printf 'gateway:%s\n' "$LOOPFLOW_GATEWAY_MQTT_PASSWORD" > "$data_dir/passwd-services.new" || return 1
  mosquitto_passwd -U "$data_dir/passwd-services.new" || return 1
  printf '%s\n' "$1" | while read -r f _; do
    [ -n "$f" ] || continue
    user="$(basename "$f" .login)"
    line="$(cat "$f" 2> /dev/null || true)"
    case "$line" in
      gateway:*) hashed=no ;;
      "$user:\$7\$"* | "$user:\$6\$"*) hashed=yes ;;
      *) hashed=no ;;
    esac
    if [ "$hashed" != yes ] || [ "$(printf '%s\n' "$line" | wc -l)" -ne 1 ]; then
      echo "loopflow mosquitto: ignoring $f: it must hold one line 'user:hash' (mosquitto_passwd) for user '$user', not gateway" >&2
      continue
    fi
    printf '%s\n' "$line" >> "$data_dir/passwd-services.new" || exit 1
    echo "loopflow mosquitto: profile login '$user' on the services' listener" >&2
  done || return 1
  owned_by_broker "$data_dir/passwd-services.new" || return 1
  mv "$data_dir/passwd-services.new" "$data_dir/passwd-services"
}

logins="$(fresh_logins)"
write_services_passwd "$logins"

mosquitto -c "$conf" &
broker=$!
trap 'kill -TERM "$broker" 2> /dev/null || true' TERM INT

watch_profile_logins() {
  current="$1"
  while kill -0 "$broker" 2> /dev/null; do
    sleep "$poll"
    next="$(fresh_logins)"
    if [ "$next" != "$current" ]; then
      # A failure must not end the watch (set -e): say so, and try again at the next check.
      if write_services_passwd "$next"; then
        kill -HUP "$broker" 2> /dev/null || true
        echo "loopflow mosquitto: profile logins changed; password file reloaded" >&2
        current="$next"
      else
        echo "loopflow mosquitto: writing the services' password file failed; profile logins unchanged, retrying" >&2
      fi
    fi
  done
}
watch_profile_logins "$logins" &
watcher=$!

# A trapped signal ends "wait" early: wait again until Mosquitto (saving its database) has exited.
status=0
wait "$broker" || status=$?
while kill -0 "$broker" 2> /dev/null; do
  status=0
  wait "$broker" || status=$?
done
kill "$watcher" 2> /dev/null || true
exit "$status"
