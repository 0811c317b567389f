#!/bin/sh
# Builds and pushes the API for both node architectures.
set -eu
# The registry every node pulls from (assigned, not a default the caller could change).
REGISTRY=registry.home.arpa:5000
docker buildx build \
  --platform linux/amd64,linux/arm64 \
  -t "$REGISTRY/home/api:1.3.0" \
  -t "$REGISTRY/home/api:arm64-latest" \
  --push \
  -f app/Dockerfile app
