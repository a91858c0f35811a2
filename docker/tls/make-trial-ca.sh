#!/bin/sh
# Makes a trial certificate authority and, signed by it, the certificate of the plants' TLS listener (8883) of
# docker-compose's Mosquitto, with openssl:
#   docker/tls/ca/ca.crt, ca.key                 the trial CA; plants trust ca.crt (mosquitto_pub --cafile, or a
#                                                Java trust store: keytool -importcert -file ca.crt ...)
#   docker/tls/mosquitto/server.crt, server.key  the broker's certificate and key: the folder compose mounts on
#                                                /mosquitto/tls (LOOPFLOW_MQTT_TLS_DIR moves it)
# The server certificate names localhost, 127.0.0.1, mosquitto (the compose service), this machine's host name and
# every name or IP address given: the names plants use to reach the broker. For trials: a broker that real plants
# reach gets its certificate from the operator's own CA, put in the same folder as server.crt and server.key.
# Refuses to replace existing files unless --force. Usage:
#   docker/tls/make-trial-ca.sh [--force] [--out DIR] [name-or-ip ...]   (DIR holds ca/ and mosquitto/; default docker/tls)
set -eu
out="$(cd "$(dirname "$0")" && pwd)"
force=no
while [ "$#" -gt 0 ]; do
  case "$1" in
    --force) force=yes; shift ;;
    --out) out="${2:?--out needs a folder}"; shift 2 ;;
    -h | --help) sed -n '2,15p' "$0"; exit 0 ;;
    --*) echo "unknown option $1" >&2; exit 2 ;;
    *) break ;;
  esac
done
command -v openssl > /dev/null || { echo "make-trial-ca.sh needs openssl (apt-get install openssl)" >&2; exit 2; }

ca="$out/ca"
server="$out/mosquitto"
for f in "$ca/ca.key" "$ca/ca.crt" "$server/server.key" "$server/server.crt"; do
  if [ -e "$f" ] && [ "$force" != yes ]; then
    echo "$f exists: kept, nothing written (--force replaces the trial CA and the server certificate)" >&2
    exit 1
  fi
done
mkdir -p "$ca" "$server"

san="DNS:localhost,IP:127.0.0.1,DNS:mosquitto"
host="$(hostname 2> /dev/null || true)"
if [ -n "$host" ] && [ "$host" != localhost ]; then
  san="$san,DNS:$host"
fi
for name in "$@"; do
  if printf '%s\n' "$name" | grep -Eqx '[0-9]{1,3}(\.[0-9]{1,3}){3}|[0-9a-fA-F:]*:[0-9a-fA-F:]*'; then
    san="$san,IP:$name"
  else
    san="$san,DNS:$name"
  fi
done

umask 077
tmp="$(mktemp -d)"
trap 'rm -rf "$tmp"' EXIT
openssl ecparam -name prime256v1 -genkey -noout -out "$tmp/ca.key"
openssl req -x509 -new -key "$tmp/ca.key" -sha256 -days 825 -subj "/O=LoopFlow trial/CN=LoopFlow trial CA" \
  -addext "basicConstraints=critical,CA:TRUE" -addext "keyUsage=critical,keyCertSign,cRLSign" -out "$tmp/ca.crt"
openssl ecparam -name prime256v1 -genkey -noout -out "$tmp/server.key"
openssl req -new -key "$tmp/server.key" -subj "/O=LoopFlow trial/CN=mosquitto" -out "$tmp/server.csr"
printf 'basicConstraints=critical,CA:FALSE\nkeyUsage=critical,digitalSignature\nextendedKeyUsage=serverAuth\nsubjectAltName=%s\n' \
  "$san" > "$tmp/server.ext"
openssl x509 -req -in "$tmp/server.csr" -CA "$tmp/ca.crt" -CAkey "$tmp/ca.key" -set_serial "0x$(openssl rand -hex 16)" \
  -days 825 -sha256 -extfile "$tmp/server.ext" -out "$tmp/server.crt" 2> /dev/null
openssl verify -CAfile "$tmp/ca.crt" "$tmp/server.crt" > /dev/null

# Certificates are public; keys stay readable by their owner only (compose's start.sh copies the server's key
# for the broker's own user).
chmod 0644 "$tmp/ca.crt" "$tmp/server.crt"
mv "$tmp/ca.key" "$tmp/ca.crt" "$ca/"
mv "$tmp/server.key" "$tmp/server.crt" "$server/"
echo "trial CA: $ca/ca.crt (give it to the plants); broker certificate for $san: $server/server.crt"
