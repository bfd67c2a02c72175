#!/bin/sh
# Sourced by the other scripts: the ml-engineer's client settings (TLS + SCRAM-SHA-512, the cluster CA).
cat > /tmp/client.properties <<PROPS
security.protocol=SASL_SSL
sasl.mechanism=SCRAM-SHA-512
sasl.jaas.config=$SASL_JAAS_CONFIG
ssl.truststore.type=PEM
ssl.truststore.location=/etc/kafka-ca/ca.crt
PROPS
