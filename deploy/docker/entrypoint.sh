#!/bin/sh
# Entrypoint of the TtelGo image (run by tini, which is PID 1 and forwards signals).
#   serve [SERVICE]   run apps/<SERVICE>/src/main.ts (default command; SERVICE from the argument or the env)
#   migrate [ARGS]    node --import tsx scripts/migrate.ts (services also migrate their own schema at start)
#   anything else     exec'd as given (e.g. `node -e ...`, `sh`)
# Every branch `exec`s so that node itself receives SIGTERM and runs its graceful shutdown.
set -eu
# The repository root (/app in the image), found from this file so the script also runs from a checkout.
cd "$(dirname "$0")/../.."

available() {
  for dir in apps/*/; do
    name=$(basename "$dir")
    [ -f "apps/$name/src/main.ts" ] && printf ' %s' "$name"
  done
  return 0
}

cmd="${1:-serve}"
[ "$#" -gt 0 ] && shift

case "$cmd" in
  serve)
    if [ "$#" -gt 0 ]; then
      SERVICE="$1"
      shift
      export SERVICE
    fi
    service="${SERVICE:-}"
    if [ -z "$service" ]; then
      echo "entrypoint: no service chosen: set SERVICE or run \`serve <service>\`; this image has:$(available)" >&2
      exit 64
    fi
    if [ ! -f "apps/$service/src/main.ts" ]; then
      echo "entrypoint: unknown service \"$service\" (no apps/$service/src/main.ts); this image has:$(available)" >&2
      exit 64
    fi
    exec node --import tsx "apps/$service/src/main.ts" "$@"
    ;;
  migrate)
    exec node --import tsx scripts/migrate.ts "$@"
    ;;
  *)
    exec "$cmd" "$@"
    ;;
esac
