# Build a static binary; run it as a non-root user in a distroless image.
FROM golang:1.26-bookworm AS build
WORKDIR /src
COPY go.mod go.sum ./
RUN go mod download
COPY . .
# Migrations and locales are embedded: the binary is all the image needs.
RUN CGO_ENABLED=0 go build -trimpath -ldflags="-s -w" -o /out/agora . \
 && mkdir -p /out/data

FROM gcr.io/distroless/static-debian12:nonroot
COPY --from=build /out/agora /agora
COPY --from=build --chown=65532:65532 /out/data /data
ENV HTTP_ADDR=:8080 \
    DATABASE_URL=sqlite:/data/agora.db
VOLUME /data
EXPOSE 8080
USER nonroot:nonroot
ENTRYPOINT ["/agora"]
