FROM debian:12-slim
RUN apt-get update && apt-get install -y --no-install-recommends postgresql-15 && rm -rf /var/lib/apt/lists/* && mkdir -p /var/lib/postgresql/data && chown postgres:postgres /var/lib/postgresql/data && mkdir -p /var/run/postgresql && chown postgres:postgres /var/run/postgresql
ENV PATH=/usr/lib/postgresql/15/bin:$PATH PGDATA=/var/lib/postgresql/data
COPY postgres-entrypoint.sh /usr/local/bin/entrypoint.sh
USER postgres
ENTRYPOINT ["/usr/local/bin/entrypoint.sh"]
