# syntax=docker/dockerfile:1
# Build: the same `endorse` binary that `cargo run --release` builds.
FROM rust:1.95-bookworm AS build
WORKDIR /src
COPY Cargo.toml Cargo.lock rustfmt.toml ./
COPY api ./api
COPY entity ./entity
COPY migration ./migration
COPY tests ./tests
# A workspace member (the benchmark baseline): cargo needs every member's manifest.
COPY bench/baseline ./bench/baseline
COPY openapi ./openapi
RUN cargo build --release --locked -p api --bin endorse

# Run: a small image, an unprivileged user, data in a volume.
FROM debian:bookworm-slim AS runtime
RUN apt-get update \
 && apt-get install -y --no-install-recommends ca-certificates \
 && rm -rf /var/lib/apt/lists/* \
 && useradd --system --uid 10001 --home-dir /var/lib/endorse --create-home endorse
COPY --from=build /src/target/release/endorse /usr/local/bin/endorse
USER endorse
WORKDIR /var/lib/endorse
ENV BIND_ADDR=0.0.0.0:8080 \
    DATA_DIR=/var/lib/endorse/data \
    LOG_FORMAT=json
VOLUME ["/var/lib/endorse/data"]
EXPOSE 8080
HEALTHCHECK --interval=30s --timeout=5s --start-period=20s --retries=3 \
  CMD ["endorse", "healthcheck", "--url", "http://127.0.0.1:8080/healthz"]
STOPSIGNAL SIGTERM
ENTRYPOINT ["endorse"]
CMD ["serve"]
