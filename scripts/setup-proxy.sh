#!/usr/bin/env bash
# `bun run setup:proxy`: makes sure the browser suite's reverse-proxy scenarios
# (e2e/tests/proxy.e2e.ts) have nginx and Caddy, installing Debian's packages through apt when
# they are missing, and says what it did. Finds them the way the suite does
# (e2e/support/proxy-binaries.ts): NGINX_PATH / CADDY_PATH when set, else Debian's path, else
# the PATH. Needs openssl too (the scenarios make their certificate at test time).
# Exits non-zero when something is still missing afterwards; never waits for input.
set -euo pipefail

declare -A DEBIAN_PATH=([nginx]=/usr/sbin/nginx [caddy]=/usr/bin/caddy [openssl]=/usr/bin/openssl)
declare -A ENV_VAR=([nginx]=NGINX_PATH [caddy]=CADDY_PATH [openssl]=)

find_binary() {
  local name="$1" var="${ENV_VAR[$1]}"
  if [ -n "$var" ] && [ -n "${!var:-}" ]; then
    if [ -f "${!var}" ] && [ -x "${!var}" ]; then echo "${!var}"; fi
    return
  fi
  if [ -x "${DEBIAN_PATH[$name]}" ]; then echo "${DEBIAN_PATH[$name]}"; else command -v "$name" || true; fi
}

missing=()
for name in nginx caddy openssl; do
  found="$(find_binary "$name")"
  if [ -n "$found" ]; then echo "setup:proxy: $name found at $found"; else missing+=("$name"); fi
done
[ "${#missing[@]}" -eq 0 ] && exit 0

SUDO=""
if [ "$(id -u)" -ne 0 ]; then
  if ! command -v sudo >/dev/null 2>&1; then
    echo "setup:proxy: could not install ${missing[*]}: not root and no sudo; as root run \`apt-get update && apt-get install -y ${missing[*]}\`" >&2
    exit 1
  fi
  SUDO="sudo -n"
fi
if ! command -v apt-get >/dev/null 2>&1; then
  echo "setup:proxy: could not install ${missing[*]}: no apt-get here (not Debian or Ubuntu); install them yourself (or set NGINX_PATH / CADDY_PATH)" >&2
  exit 1
fi

# Bounded waits: a held dpkg lock or an unreachable mirror fails instead of hanging.
APT_OPTS=(-o DPkg::Lock::Timeout=120 -o Acquire::Retries=2 -o Acquire::http::Timeout=30)
export DEBIAN_FRONTEND=noninteractive
echo "setup:proxy: installing Debian's ${missing[*]}: ${SUDO:+$SUDO }apt-get install -y ${missing[*]}"
if ! $SUDO apt-get "${APT_OPTS[@]}" update -qq; then
  echo "setup:proxy: could not install ${missing[*]}: apt-get update failed (output above)" >&2
  exit 1
fi
installable=()
for name in "${missing[@]}"; do
  # Caddy is in Debian 12 (bookworm); say so plainly where a release lacks it.
  policy="$(apt-cache policy "$name" 2>/dev/null || true)"
  if [[ "$policy" =~ Candidate:\ [^\(] ]]; then
    installable+=("$name")
  else
    echo "setup:proxy: Debian's apt has no $name package here; its scenario will fail" >&2
  fi
done
# A package's own service failing to start (port 80 taken) fails apt-get but leaves the
# binary, which is all the scenarios need: the check below decides.
if [ "${#installable[@]}" -gt 0 ] &&
  ! $SUDO apt-get "${APT_OPTS[@]}" install -y -qq "${installable[@]}" >/dev/null; then
  echo "setup:proxy: apt-get install ${installable[*]} failed (output above)" >&2
fi

status=0
for name in "${missing[@]}"; do
  found="$(find_binary "$name")"
  if [ -n "$found" ]; then echo "setup:proxy: $name installed at $found"
  else echo "setup:proxy: $name is still missing" >&2; status=1; fi
done
exit "$status"
