#!/bin/sh
# Prepares docker-compose.yml's secrets in one step, with random values (openssl rand, or /dev/urandom without it):
#  - .env: every variable docker-compose.yml requires (${VAR:?...}: MQTT passwords of LoopFlow's services, Grafana's
#    admin password, InfluxDB's admin password and token). An existing .env is never overwritten: variables it
#    lacks are added, those it has are kept (--force writes a new file).
#  - docker/mosquitto/credentials: the plants' MQTT users of docker/mosquitto/credentials.example, each with a random
#    password. Kept if it exists (--force writes a new one).
#  - docker/tls/mosquitto/server.crt and server.key: a trial CA and certificate (docker/tls/make-trial-ca.sh) for the
#    plants' TLS listener, if that folder has none and --no-trial-tls is not given.
# Usage: docker/make-env.sh [--force] [--no-trial-tls] [--env-file FILE] [--credentials FILE]
set -eu
root="$(cd "$(dirname "$0")/.." && pwd)"
env_file="$root/.env"
credentials="$root/docker/mosquitto/credentials"
force=no
trial_tls=yes
while [ "$#" -gt 0 ]; do
  case "$1" in
    --force) force=yes; shift ;;
    --no-trial-tls) trial_tls=no; shift ;;
    --env-file) env_file="${2:?--env-file needs a file}"; shift 2 ;;
    --credentials) credentials="${2:?--credentials needs a file}"; shift 2 ;;
    -h | --help) sed -n '2,12p' "$0"; exit 0 ;;
    *) echo "unknown argument $1" >&2; exit 2 ;;
  esac
done

secret() {
  if command -v openssl > /dev/null 2>&1; then
    openssl rand -hex 24
  else
    od -An -tx1 -N24 /dev/urandom | tr -d ' \n'
  fi
}

umask 077
# The variables docker-compose.yml refuses to start without.
required="$(grep -o '\${[A-Za-z_][A-Za-z0-9_]*:?' "$root/docker-compose.yml" | sed 's/^\${//; s/:?$//' | sort -u)"
if [ -e "$env_file" ] && [ "$force" != yes ]; then
  added=""
  for var in $required; do
    if ! grep -Eq "^[[:space:]]*(export[[:space:]]+)?$var=." "$env_file"; then
      printf '%s=%s\n' "$var" "$(secret)" >> "$env_file"
      added="$added $var"
    fi
  done
  echo "$env_file exists: kept${added:+; added$added}"
else
  {
    echo "# Secrets of docker-compose.yml, written by docker/make-env.sh on $(date -u +%Y-%m-%dT%H:%M:%SZ). Keep this file private."
    for var in $required; do
      printf '%s=%s\n' "$var" "$(secret)"
    done
  } > "$env_file.new"
  mv "$env_file.new" "$env_file"
  echo "$env_file written: $(echo $required | tr ' ' ',')"
fi

if [ -e "$credentials" ] && [ "$force" != yes ]; then
  echo "$credentials exists: kept"
else
  {
    echo "# The plants' MQTT users (user:password), written by docker/make-env.sh from credentials.example. Keep this file private."
    grep -v '^#' "$root/docker/mosquitto/credentials.example" | grep ':' | while IFS=: read -r user _; do
      printf '%s:%s\n' "$user" "$(secret)"
    done
  } > "$credentials.new"
  mv "$credentials.new" "$credentials"
  echo "$credentials written: users $(grep -v '^#' "$credentials" | cut -d: -f1 | tr '\n' ' ')"
fi

if [ "$trial_tls" = yes ] && [ ! -e "$root/docker/tls/mosquitto/server.crt" ]; then
  "$root/docker/tls/make-trial-ca.sh"
fi
