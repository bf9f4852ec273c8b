# docmock: a contract-testing mock server built from vendor API documentation.
#
#   docker build -t docmock .
#   docker run --rm -p 4010:4010 docmock
#
# The bundled specs are served; mount your own over /srv/docmock/specs and
# /srv/docmock/fixtures (or pass --specs) to serve an imported tree.

FROM rust:1-slim-bookworm AS build
WORKDIR /src
COPY Cargo.toml Cargo.lock ./
COPY src src
# Cargo.toml declares the `pipeline` bench; cargo refuses a manifest whose
# declared targets are missing, even for a plain build.
COPY benches benches
RUN cargo build --release --locked && strip target/release/docmock

# glibc, CA certificates (for `docmock verify` against https portals) and a
# non-root user, nothing else.
FROM gcr.io/distroless/cc-debian12:nonroot
COPY --from=build /src/target/release/docmock /usr/local/bin/docmock
COPY specs /srv/docmock/specs
COPY fixtures /srv/docmock/fixtures
WORKDIR /srv/docmock
USER nonroot
EXPOSE 4010
ENTRYPOINT ["/usr/local/bin/docmock"]
CMD ["serve", "--host", "0.0.0.0", "--port", "4010"]
