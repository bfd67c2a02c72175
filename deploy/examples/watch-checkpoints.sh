#!/bin/sh
# Prints every checkpoint event as it arrives (kubectl -n faces logs -f job/watch-checkpoints).
set -eu
cat > /tmp/client.properties <<PROPS
security.protocol=SASL_SSL
sasl.mechanism=SCRAM-SHA-512
sasl.jaas.config=$SASL_JAAS_CONFIG
ssl.truststore.type=PEM
ssl.truststore.location=/etc/kafka-ca/ca.crt
group.id=ml-watch-checkpoints
PROPS
exec /opt/kafka/bin/kafka-console-consumer.sh --bootstrap-server "$KAFKA_BOOTSTRAP" \
  --topic faces.checkpoints --consumer.config /tmp/client.properties --property print.key=true
