# syntax=docker/dockerfile:1
# Tamis image: the `tamis` binary with tesseract (French, English, orientation data) and poppler.
# Build: docker build -t tamis:0.1.0 .     Run: docker run --rm tamis:0.1.0 --help
# The Helm chart (helm/tamis) runs it as `tamis worker <stage>`, `tamis console`, `tamis topology`.

FROM rust:1.95-bookworm AS builder
# tesseract-sys links libtesseract through bindgen, hence clang and the -dev packages.
# Versions are Debian bookworm's, fixed by the base image's release; pinning each would only break rebuilds.
# hadolint ignore=DL3008
RUN apt-get update \
 && apt-get install -y --no-install-recommends pkg-config clang libclang-dev libtesseract-dev libleptonica-dev \
 && rm -rf /var/lib/apt/lists/*
WORKDIR /src
COPY . .
# Cache mounts keep the registry and compiled dependencies between builds; the binary is copied
# out of the cached target directory so the next stage can take it.
RUN --mount=type=cache,target=/usr/local/cargo/registry \
    --mount=type=cache,target=/src/target \
    cargo build --release --locked --bin tamis \
 && install -D -m 0755 target/release/tamis /out/tamis

FROM debian:bookworm-slim AS runtime
# hadolint ignore=DL3008
RUN apt-get update \
 && apt-get install -y --no-install-recommends \
      ca-certificates poppler-utils tesseract-ocr tesseract-ocr-fra tesseract-ocr-eng tesseract-ocr-osd \
 && rm -rf /var/lib/apt/lists/* \
 && groupadd --system --gid 10001 tamis \
 && useradd --system --uid 10001 --gid tamis --home-dir /var/lib/tamis --create-home --shell /usr/sbin/nologin tamis
COPY --from=builder /out/tamis /usr/local/bin/tamis
# The default taxonomy and policy; the chart mounts its ConfigMap over /etc/tamis.
COPY config/taxonomy.toml config/policy.toml /etc/tamis/
ENV TAMIS_TAXONOMY=/etc/tamis/taxonomy.toml \
    TAMIS_POLICY=/etc/tamis/policy.toml \
    TAMIS_BLOB_URL=/var/lib/tamis/blobs \
    TAMIS_LOG_FORMAT=json \
    OMP_THREAD_LIMIT=1
WORKDIR /var/lib/tamis
USER 10001:10001
# 9090: workers' /healthz, /readyz, /metrics (TAMIS_HEALTH_ADDR); 8080: the review console.
EXPOSE 9090 8080
ENTRYPOINT ["/usr/local/bin/tamis"]
CMD ["--help"]
