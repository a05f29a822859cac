#!/bin/sh
# A stand-in for the official postgres image's entrypoint: POSTGRES_USER/PASSWORD/DB.
set -e
if [ ! -s "$PGDATA/PG_VERSION" ]; then
  printf '%s\n' "$POSTGRES_PASSWORD" > /tmp/pw
  initdb -D "$PGDATA" -U "$POSTGRES_USER" --pwfile=/tmp/pw -A scram-sha-256 >/dev/null
  rm /tmp/pw
  echo "host all all 0.0.0.0/0 scram-sha-256" >> "$PGDATA/pg_hba.conf"
  pg_ctl -D "$PGDATA" -o "-c listen_addresses='' -k /tmp" -w start >/dev/null
  PGPASSWORD=$POSTGRES_PASSWORD psql -U "$POSTGRES_USER" -h /tmp -d postgres -qc "CREATE DATABASE $POSTGRES_DB"
  pg_ctl -D "$PGDATA" -w stop >/dev/null
fi
exec postgres -D "$PGDATA" -k /var/run/postgresql -c listen_addresses='*'
