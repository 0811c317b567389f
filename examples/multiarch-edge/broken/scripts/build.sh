#!/bin/sh
set -eu
docker buildx build --platform linux/amd64,linux/arm64 -t "${IMAGE:-edge/agent:dev}" .
