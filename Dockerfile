# Alternative path for people who use Docker; not exercised by the tests here
# (the build machines have no Docker engine). `make run` is the tested path.
FROM node:20-bookworm-slim AS web
WORKDIR /src/web
COPY web/package.json web/package-lock.json ./
RUN npm ci --omit=dev --no-audit --no-fund
RUN mkdir -p /vendor && cp node_modules/maplibre-gl/dist/maplibre-gl-csp.js node_modules/maplibre-gl/dist/maplibre-gl-csp-worker.js \
    node_modules/maplibre-gl/dist/maplibre-gl.css node_modules/maplibre-gl/LICENSE.txt /vendor/

FROM golang:1.26-bookworm AS build
WORKDIR /src
COPY go.mod go.sum ./
RUN go mod download
COPY . .
COPY --from=web /vendor web/static/vendor
RUN CGO_ENABLED=0 go build -trimpath -ldflags "-s -w" -o /out/geodata ./cmd/geodata

FROM debian:bookworm-slim
RUN useradd --system --home /var/lib/geodata geodata && mkdir -p /var/lib/geodata && chown geodata /var/lib/geodata
COPY --from=build /out/geodata /usr/local/bin/geodata
USER geodata
ENV GEODATA_LISTEN=0.0.0.0:8080 GEODATA_DATA_DIR=/var/lib/geodata GEODATA_LOG_FORMAT=json
EXPOSE 8080
ENTRYPOINT ["geodata"]
CMD ["serve"]
