#!/bin/sh
# Seeds the data folder once, then starts the command.
set -e
if [ "$SEED_DATA" = "1" ] && [ ! -f "$DATA_DIR/.seeded" ]; then
  python /app/seed.py "$DATA_DIR"
  touch "$DATA_DIR/.seeded"
fi
exec "$@"
