#!/bin/sh
# Entrypoint of the TtelGo image (run by tini, which is PID 1 and forwards signals).
#   serve [SERVICE]   run dist/apps/<SERVICE>/main.js, its compiled bundle (default command; SERVICE from the
#                     argument or the env), with the V8 flags of NODE_FLAGS in scripts/services.ts
#   migrate [ARGS]    node dist/scripts/migrate.js: every schema's migrations (services also migrate their own at start)
#   anything else     exec'd as given (e.g. `node -e ...`, `sh`)
# Every branch `exec`s so that node itself receives SIGTERM and runs its graceful shutdown.
set -eu
# The repository root (/app in the image), found from this file so the script also runs from a checkout.
cd "$(dirname "$0")/../.."

# The bundles of this image (dist/apps/*/main.js); in a checkout before `npm run build`, the apps' sources.
available() {
  for dir in apps/*/ dist/apps/*/; do
    name=$(basename "$dir")
    case " $seen " in *" $name "*) continue ;; esac
    if [ -f "dist/apps/$name/main.js" ] || [ -f "apps/$name/src/main.ts" ]; then
      seen="$seen $name"
      printf ' %s' "$name"
    fi
  done
  return 0
}
seen=

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
    if [ ! -f "dist/apps/$service/main.js" ]; then
      echo "entrypoint: unknown service \"$service\" (no dist/apps/$service/main.js); this image has:$(available)" >&2
      exit 64
    fi
    exec node --optimize-for-size "dist/apps/$service/main.js" "$@"
    ;;
  migrate)
    exec node dist/scripts/migrate.js "$@"
    ;;
  *)
    exec "$cmd" "$@"
    ;;
esac
