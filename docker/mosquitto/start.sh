#!/bin/sh
# Hashes docker/mosquitto/credentials into the password file Mosquitto reads, then runs Mosquitto.
set -eu
grep -v '^#' /mosquitto/config/credentials | grep ':' > /mosquitto/data/passwd
mosquitto_passwd -U /mosquitto/data/passwd
chown mosquitto:mosquitto /mosquitto/data/passwd
chmod 0700 /mosquitto/data/passwd
exec mosquitto -c /mosquitto/config/mosquitto.conf
