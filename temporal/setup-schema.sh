#!/bin/sh
# Temporal's two databases and their schema, with the official admin-tools image (docker-compose.yml,
# service temporal-schema). Idempotent: an existing database is kept, and update-schema only applies
# the versions it lacks, so it runs on every `up` and after a server upgrade.
set -eu
: "${POSTGRES_SEEDS:?}" "${POSTGRES_USER:?}" "${POSTGRES_PWD:?}" "${DB_PORT:=5432}" "${DBNAME:=temporal}" "${VISIBILITY_DBNAME:=temporal_visibility}"
SCHEMA=/etc/temporal/schema/postgresql/v12
export SQL_PASSWORD="$POSTGRES_PWD"
tool() { temporal-sql-tool --plugin postgres12 --ep "$POSTGRES_SEEDS" -u "$POSTGRES_USER" -p "$DB_PORT" "$@"; }

for pair in "$DBNAME:temporal" "$VISIBILITY_DBNAME:visibility"; do
  db=${pair%%:*}
  kind=${pair#*:}
  # "already exists" is the expected answer from the second run on
  tool --db "$db" create-database 2>/dev/null || echo "database $db exists"
  tool --db "$db" setup-schema -v 0.0 2>/dev/null || echo "schema of $db already set up"
  tool --db "$db" update-schema -d "$SCHEMA/$kind/versioned"
done
echo "Temporal schema ready"
