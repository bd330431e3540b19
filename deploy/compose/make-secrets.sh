#!/bin/sh
# Generates the compose stack's secrets, once: the ingest webhook token and the JWT secret as
# files under deploy/compose/secrets/ (mounted as compose secrets), and REDIS_PASSWORD in .env
# (compose reads it from there). Existing values are kept, so running it again changes nothing.
# The repository ships none of them: compose and the services refuse to start until they exist.
#   sh deploy/compose/make-secrets.sh [<repository root>]
set -eu
root=${1:-$(cd "$(dirname "$0")/../.." && pwd)}
# Compose bind-mounts secret files as they are (no uid/mode outside swarm), and the containers
# read them as other users (node, nobody): the files must be world-readable. Keep this machine's
# accounts trusted, or use a secret store (deploy/README.md).
umask 022

# 32 random bytes as hex: URL-safe (REDIS_PASSWORD goes into REDIS_URL), long enough for HS256.
random_hex() {
  if command -v openssl >/dev/null 2>&1; then openssl rand -hex 32
  else od -An -N32 -tx1 /dev/urandom | tr -d ' \n'; echo
  fi
}

mkdir -p "$root/deploy/compose/secrets"
for name in ingest-token jwt-secret; do
  file="$root/deploy/compose/secrets/$name"
  if [ -s "$file" ]; then echo "kept      $file"; else random_hex > "$file"; echo "generated $file"; fi
done

env_file="$root/.env"
if [ -f "$env_file" ] && grep -q '^REDIS_PASSWORD=.' "$env_file"; then
  echo "kept      REDIS_PASSWORD in $env_file"
else
  # A last line without its newline would swallow ours.
  if [ -s "$env_file" ] && [ -n "$(tail -c1 "$env_file")" ]; then echo >> "$env_file"; fi
  (umask 077 && printf 'REDIS_PASSWORD=%s\n' "$(random_hex)" >> "$env_file")
  echo "generated REDIS_PASSWORD in $env_file"
fi
