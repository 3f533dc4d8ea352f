# A static alertlint binary in an empty image: `docker run --rm -v "$PWD:/work" -w /work alertlint check rules/`.
# The build runs the same command CI and `cargo install --locked` use.
FROM rust:1-alpine AS build
# The base image moves with Alpine releases; pinning one package version would break the build on the next.
# hadolint ignore=DL3018
RUN apk add --no-cache musl-dev
WORKDIR /src
COPY Cargo.toml Cargo.lock ./
COPY src ./src
COPY benches ./benches
RUN cargo build --release --locked --bin alertlint

FROM scratch
COPY --from=build /src/target/release/alertlint /usr/local/bin/alertlint
COPY LICENSE /usr/share/doc/alertlint/LICENSE
ENTRYPOINT ["/usr/local/bin/alertlint"]
CMD ["check", "."]
