#!/bin/sh
# Prints every checkpoint event as it arrives (kubectl -n faces logs -f job/watch-checkpoints).
set -eu
. /scripts/kafka-client.sh
echo "group.id=ml-watch-checkpoints" >> /tmp/client.properties
exec /opt/kafka/bin/kafka-console-consumer.sh --bootstrap-server "$KAFKA_BOOTSTRAP" \
  --topic faces.checkpoints --consumer.config /tmp/client.properties --property print.key=true
