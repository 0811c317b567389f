#!/bin/sh
set -eu
# Local builds on the Jetson image.
ROOT=$(dirname "$0")/..
docker build --build-arg BASE_IMAGE=nvcr.io/nvidia/l4t-base:r36.2.0 -t edge/app:dev "$ROOT"
