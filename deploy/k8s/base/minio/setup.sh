#!/bin/sh
# Buckets, and one S3 user per client with only its policy. Idempotent: every step creates or updates, so the
# Job can run again at any time, also after a credential changed (the user's secret is updated; a user whose
# access key was replaced loses its policy and is removed).
set -eu
export MC_CONFIG_DIR=/tmp/mc
until mc alias set faces "$S3_ENDPOINT" "$MINIO_ROOT_USER" "$MINIO_ROOT_PASSWORD" >/dev/null 2>&1; do
  echo "waiting for MinIO at $S3_ENDPOINT"
  sleep 2
done
mc mb --ignore-existing "faces/$DATASETS_BUCKET" "faces/$CHECKPOINTS_BUCKET"

setup_user() { # <policy name> <policy file> <access key> <secret key>
  mc admin policy create faces "$1" "$2"
  mc admin user add faces "$3" "$4"
  if ! out=$(mc admin policy attach faces "$1" --user "$3" 2>&1); then
    case "$out" in
      *already*) ;;
      *) echo "$out" >&2; exit 1 ;;
    esac
  fi
  # Users left from an earlier access key of this client.
  mc admin user ls faces --json | while read -r line; do
    key=$(printf '%s' "$line" | sed -n 's/.*"accessKey":"\([^"]*\)".*/\1/p')
    policy=$(printf '%s' "$line" | sed -n 's/.*"policyName":"\([^"]*\)".*/\1/p')
    if [ -n "$key" ] && [ "$policy" = "$1" ] && [ "$key" != "$3" ]; then
      mc admin user rm faces "$key"
    fi
  done
  echo "user for $1 ready"
}

setup_user faces-ingest /setup/policy-ingest.json "$INGEST_ACCESS_KEY" "$INGEST_SECRET_KEY"
setup_user faces-trainer /setup/policy-trainer.json "$TRAINER_ACCESS_KEY" "$TRAINER_SECRET_KEY"
setup_user faces-generator /setup/policy-generator.json "$GENERATOR_ACCESS_KEY" "$GENERATOR_SECRET_KEY"
setup_user faces-ml-engineer /setup/policy-ml-engineer.json "$ML_ENGINEER_ACCESS_KEY" "$ML_ENGINEER_SECRET_KEY"
