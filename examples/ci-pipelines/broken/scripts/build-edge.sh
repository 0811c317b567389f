#!/usr/bin/env bash
# Edge agent image for the Jetson fleet; runs on the arm64 self-hosted runner.
set -euo pipefail
REGISTRY="${REGISTRY:-10.20.0.7:5000}"
docker buildx build --platform linux/arm64 \
  -t "${REGISTRY}/fleet/edge-agent:0.9.0" --push \
  -f docker/edge.Dockerfile .
