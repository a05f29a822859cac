# pend-server's container image (docs/deployment/docker.md).
#
#   docker build -t pend-server .                             # needs BuildKit (Docker 23+: the default)
#   docker build --build-arg BUILD_JOBS=2 -t pend-server .    # fewer compiler processes
#
# No `# syntax=` line on purpose: the Dockerfile frontend built into BuildKit understands
# RUN --mount, and a syntax line would make every build pull a frontend image.
#
# Two stages on Debian 12, as the project builds everywhere (nothing is downloaded but
# Debian's packages): `build` compiles a stripped Release binary, the final stage holds it
# with the runtime libraries only, runs as uid 10001 and writes nowhere but its volumes, so
# `docker run --read-only` works.

###############################################################################
FROM debian:12-slim AS build

ARG DEBIAN_FRONTEND=noninteractive
# What scripts/install-deps installs for building, less what the image does not build or
# run here (tests, benchmarks, fuzzing, clang-format, the databases, nginx, wrk, npm): keep
# the two lists in step. scripts/install-deps itself is not run: it would also install
# PostgreSQL, Redis, clang, Node.js and run `npm ci`.
#
# The shim is install-deps' own: libphonenumber-dev depends on the unversioned
# libboost-thread-dev, which on Debian 12 is Boost 1.74, whose -dev packages conflict with
# the Boost 1.81 ones the build uses; a local package that provides libboost-thread-dev by
# depending on the 1.81 one resolves it.
RUN set -eux; \
    mkdir -p /tmp/shim/DEBIAN; \
    printf '%s\n' \
      'Package: pend-boost-thread-dev-shim' \
      'Version: 1.81.0' \
      'Architecture: all' \
      'Maintainer: pend-server <dev@pend.invalid>' \
      'Provides: libboost-thread-dev' \
      'Depends: libboost-thread1.81-dev' \
      'Description: satisfies libboost-thread-dev with Boost 1.81' \
      ' libphonenumber-dev depends on the unversioned libboost-thread-dev, which on Debian 12' \
      " means Boost 1.74, whose -dev packages conflict with Boost 1.81's." \
      > /tmp/shim/DEBIAN/control; \
    dpkg-deb --build /tmp/shim /tmp/pend-boost-thread-dev-shim.deb; \
    apt-get update; \
    apt-get install -y --no-install-recommends \
      /tmp/pend-boost-thread-dev-shim.deb \
      g++ cmake ninja-build ccache pkg-config git \
      libboost1.81-dev libboost-json1.81-dev libboost-url1.81-dev libboost-system1.81-dev \
      libcli11-dev libtomlplusplus-dev libpq-dev libhiredis-dev libsodium-dev libssl-dev \
      libsecp256k1-dev libcrypto++-dev libphonenumber-dev libboost-thread1.81-dev \
      liboath-dev libqrencode-dev libmagic-dev zlib1g-dev; \
    rm -rf /var/lib/apt/lists/* /tmp/shim /tmp/pend-boost-thread-dev-shim.deb

WORKDIR /src
# The context is an allow-list (.dockerignore): CMakeLists.txt, src/, .git, and the files
# the runtime stage copies.
COPY . .

# Empty: ninja's default (a job or two more than the cores). Lower it on a builder short of
# memory: the coroutine-heavy sources take a lot of it per compiler.
ARG BUILD_JOBS=
ENV CCACHE_DIR=/ccache
# The ccache cache mount lets a rebuild after a small change recompile only what changed
# (it stays on the builder, never in the image). CMakeLists.txt uses ccache when it finds it.
RUN --mount=type=cache,target=/ccache \
    set -eux; \
    cmake -S . -B /build -G Ninja -DCMAKE_BUILD_TYPE=Release \
      -DPEND_BUILD_TESTS=OFF -DPEND_BUILD_BENCH=OFF; \
    cmake --build /build --target pend-server ${BUILD_JOBS:+--parallel "$BUILD_JOBS"}; \
    strip --strip-unneeded /build/pend-server; \
    /build/pend-server version

###############################################################################
FROM debian:12-slim

ARG DEBIAN_FRONTEND=noninteractive
# The shared libraries the Release binary links (objdump -p: NEEDED) and what they need at
# run time: libmagic-mgc is libmagic's database (the KYC upload check reads it),
# ca-certificates the roots for https:// (SMS provider, alert webhook, JSON-RPC nodes),
# tzdata the zone database (TZ=... for anything local-time; the server's own dates are UTC).
# libboost-system (a stub in 1.81: Boost.System is header-only) and libboost-container are
# not NEEDED by a Release build but are by other build types (build/test's Debug binary):
# they cost nothing and keep the image right if CMAKE_BUILD_TYPE changes. libphonenumber8
# brings ICU, protobuf and abseil as its dependencies.
RUN set -eux; \
    apt-get update; \
    apt-get install -y --no-install-recommends \
      libboost-json1.81.0 libboost-url1.81.0 libboost-system1.81.0 libboost-container1.81.0 \
      libpq5 libhiredis0.14 libsodium23 libssl3 libsecp256k1-1 libcrypto++8 \
      libphonenumber8 liboath0 libqrencode4 libmagic1 libmagic-mgc libtomlplusplus3 zlib1g \
      ca-certificates tzdata; \
    rm -rf /var/lib/apt/lists/*; \
    groupadd --gid 10001 pend; \
    useradd --uid 10001 --gid pend --no-create-home --home-dir /nonexistent \
      --shell /usr/sbin/nologin pend; \
    mkdir -p /var/log/pend-server /var/lib/pend-server/uploads; \
    chown pend:pend /var/log/pend-server /var/lib/pend-server/uploads; \
    chmod 0750 /var/log/pend-server; \
    chmod 0700 /var/lib/pend-server/uploads

COPY --from=build /build/pend-server /usr/local/bin/pend-server

# The working directory holds what the server reads through relative paths: config/<env>.toml
# (--config-dir / PEND_CONFIG_DIR default "config"), migrations/ (--migrations-dir /
# PEND_MIGRATIONS_DIR default "migrations") and docs/api/openapi.yaml (the reference page).
# Owned by root: the server can read them, not change them. There is no .env here; the
# environment (docker run -e / --env-file, compose env_file) configures the container.
WORKDIR /opt/pend-server
COPY config/ ./config/
COPY migrations/ ./migrations/
# The OpenAPI description GET /api/docs/openapi.yaml serves (api_docs.spec's default,
# docs/api/openapi.yaml, relative to this directory).
COPY docs/api/ ./docs/api/
# The reference page's viewer (api_docs.viewer's default path), from npm redoc: run
# scripts/install-deps (or npm ci) before the build. Without it GET /api/docs answers 503.
COPY node_modules/redoc/bundles/redoc.standalone.js ./node_modules/redoc/bundles/

# Container defaults. PEND_ENV=production makes a forgotten setting fail closed: the
# process refuses to start (exit 2, every problem listed) until the environment gives it
# DATABASE_URL with a password, REDIS_URL, PEND_METRICS_TOKEN (or
# PEND_METRICS_LOOPBACK_ONLY=true), PEND_AUTH_PHONE_PEPPER, PEND_ADMIN_TOTP_KEY,
# PEND_ADMIN_AUDIT_SIGNING_KEY, PEND_STORAGE_KEYS, PEND_AUTH_SMS_PROVIDER=http with
# PEND_AUTH_SMS_URL and PEND_AUTH_SMS_FROM, and PEND_AUTH_SMS_COUNTRIES
# (deploy/env/pend-server.env.example). Development: -e PEND_ENV=development.
# LOG_DIR holds the log files, the log sinks' spool (LOG_DIR/spool), dead letters
# (LOG_DIR/dead-letter) and the crash report (LOG_DIR/exceptions.log); UPLOAD_DIR the sealed
# KYC documents (and tmp/ for uploads in progress). Both are volumes: nothing else is
# written, so the root filesystem may be read-only.
ENV PEND_ENV=production \
    LOG_DIR=/var/log/pend-server \
    UPLOAD_DIR=/var/lib/pend-server/uploads
VOLUME ["/var/log/pend-server", "/var/lib/pend-server/uploads"]

USER 10001:10001
# server.port's default (PORT).
EXPOSE 8080

# The readiness route on this configuration's port (200 "ready", or "degraded" with Redis
# down; 503 without PostgreSQL and while draining). A process that runs `worker NAME` serves
# no HTTP: disable the check there (compose: healthcheck: disable: true).
HEALTHCHECK --interval=10s --timeout=5s --start-period=30s --retries=3 \
  CMD ["/usr/local/bin/pend-server", "healthcheck", "--timeout-ms", "3000"]

# Exec form, no shell: pend-server is the process SIGTERM reaches (it drains, stops its
# workers, flushes its logs and exits 0) and SIGHUP reloads log.level.
ENTRYPOINT ["/usr/local/bin/pend-server"]
CMD ["serve"]
