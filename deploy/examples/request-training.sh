#!/bin/sh
# Produces one faces.training.requested.v1 CloudEvent (structured JSON) to faces.training-requests, keyed by
# its runId, as the ml-engineer KafkaUser over TLS + SCRAM. A request for a runId that exists starts nothing,
# so retrying this Job is safe.
set -eu
. /scripts/kafka-client.sh
run_id="${RUN_ID:-$DATASET_ID-$(date -u +%Y%m%d-%H%M)}"
event_id=$(cat /proc/sys/kernel/random/uuid)
event='{"specversion":"1.0","id":"'"$event_id"'","source":"deploy/examples/request-training","type":"faces.training.requested.v1","datacontenttype":"application/json","data":{"datasetId":"'"$DATASET_ID"'","runId":"'"$run_id"'","epochs":'"$EPOCHS"'}}'
printf '%s|%s\n' "$run_id" "$event" | /opt/kafka/bin/kafka-console-producer.sh \
  --bootstrap-server "$KAFKA_BOOTSTRAP" --topic faces.training-requests --producer.config /tmp/client.properties \
  --property parse.key=true --property key.separator='|'
echo "requested run $run_id on dataset $DATASET_ID ($EPOCHS epochs)"
