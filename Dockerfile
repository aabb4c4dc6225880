# abusedesk: one image for every role (serve, server, worker, temporal-server,
# import, bench). Built from source in a Go 1.26 stage; the SQLite driver of
# the embedded default needs cgo, so the runtime stage is glibc (Debian slim).
#
#   docker build -t abusedesk:local .
#   docker run --rm -p 8080:8080 abusedesk:local              # all-in-one
#   docker compose up                                          # split, see docker-compose.yml

FROM golang:1.26.8-bookworm AS build
WORKDIR /src
COPY go.mod go.sum ./
RUN go mod download
COPY . .
RUN CGO_ENABLED=1 go build -trimpath -ldflags="-s -w" -o /out/abusedesk ./cmd/abusedesk

FROM debian:bookworm-slim
# curl: the HTTP health check of the server role; ca-certificates: TLS to
# Temporal Cloud, RDAP and SMTP relays.
RUN apt-get update \
 && apt-get install -y --no-install-recommends ca-certificates curl \
 && rm -rf /var/lib/apt/lists/* \
 && useradd --system --uid 10001 --home-dir /var/lib/abusedesk abusedesk \
 && mkdir -p /var/lib/abusedesk \
 && chown abusedesk /var/lib/abusedesk
COPY --from=build /out/abusedesk /usr/local/bin/abusedesk
USER abusedesk
WORKDIR /var/lib/abusedesk
# In a container the listeners bind on every interface.
ENV ABUSEDESK_DATA_DIR=/var/lib/abusedesk \
    ABUSEDESK_HTTP_ADDR=0.0.0.0:8080
VOLUME /var/lib/abusedesk
EXPOSE 8080 7233
ENTRYPOINT ["abusedesk"]
CMD ["serve"]
