#!/bin/bash
# Runs once, when the influxdb:2.7 container sets itself up (DOCKER_INFLUXDB_INIT_MODE=setup): creates the
# tokens LoopFlow uses, scoped to the LoopFlow bucket, and the DBRP mapping that lets Grafana query the
# bucket with InfluxQL. The tokens are written to /tokens (a volume shared read-only with the sink and
# Grafana), because InfluxDB 2.x generates token values itself.
set -euo pipefail

org="${DOCKER_INFLUXDB_INIT_ORG}"
bucket="${DOCKER_INFLUXDB_INIT_BUCKET}"
database="${LOOPFLOW_INFLUX_DATABASE}"
bucket_id="$(influx bucket list --org "$org" --name "$bucket" --hide-headers | cut -f1)"

token_of() {
  sed -n 's/.*"token": *"\([^"]*\)".*/\1/p'
}

# The sink writes points and nothing else.
influx auth create --org "$org" --write-bucket "$bucket_id" --description "loopflow sink: write ${bucket}" --json \
  | token_of > /tokens/sink.token.tmp
# Grafana reads.
influx auth create --org "$org" --read-bucket "$bucket_id" --description "grafana: read ${bucket}" --json \
  | token_of > /tokens/grafana.token.tmp

# InfluxQL: database "${database}", retention policy autogen -> the bucket.
influx v1 dbrp create --org "$org" --db "$database" --rp autogen --bucket-id "$bucket_id" --default

test -s /tokens/sink.token.tmp && test -s /tokens/grafana.token.tmp
chmod 0644 /tokens/sink.token.tmp /tokens/grafana.token.tmp
mv /tokens/sink.token.tmp /tokens/sink.token
mv /tokens/grafana.token.tmp /tokens/grafana.token
echo "loopflow: tokens and DBRP mapping for bucket ${bucket} created"
