#!/usr/bin/env bash
# `bun run setup:browser`: makes sure the browser suite has a Chromium, installing Debian's
# through apt when there is none, and says what it did. Finds it the way the suite does
# (e2e/support/chromium.ts): CHROMIUM_PATH when set, else /usr/bin/chromium, else `chromium`
# on the PATH. Exits non-zero when there is still no Chromium afterwards.
set -euo pipefail

if [ -n "${CHROMIUM_PATH:-}" ]; then
  if [ -f "$CHROMIUM_PATH" ] && [ -x "$CHROMIUM_PATH" ]; then
    echo "setup:browser: Chromium found at $CHROMIUM_PATH (CHROMIUM_PATH)"
    exit 0
  fi
  echo "setup:browser: CHROMIUM_PATH=$CHROMIUM_PATH is not an executable file: point it at a Chromium binary, or unset it to use Debian's" >&2
  exit 1
fi

find_chromium() {
  if [ -x /usr/bin/chromium ]; then echo /usr/bin/chromium; else command -v chromium || true; fi
}

found="$(find_chromium)"
if [ -n "$found" ]; then
  echo "setup:browser: Chromium found at $found"
  exit 0
fi

SUDO=""
if [ "$(id -u)" -ne 0 ]; then
  if ! command -v sudo >/dev/null 2>&1; then
    echo "setup:browser: could not install Chromium: not root and no sudo; as root run \`apt-get update && apt-get install -y chromium\`, or set CHROMIUM_PATH" >&2
    exit 1
  fi
  SUDO="sudo"
fi
if ! command -v apt-get >/dev/null 2>&1; then
  echo "setup:browser: could not install Chromium: no apt-get here (not Debian or Ubuntu); install Chromium yourself and set CHROMIUM_PATH to it" >&2
  exit 1
fi

echo "setup:browser: no Chromium found; installing Debian's: ${SUDO:+$SUDO }apt-get install -y chromium"
if ! { $SUDO apt-get update -qq && $SUDO apt-get install -y -qq chromium >/dev/null; }; then
  echo "setup:browser: could not install Chromium: apt-get failed (output above); install it by hand or set CHROMIUM_PATH" >&2
  exit 1
fi
found="$(find_chromium)"
if [ -z "$found" ]; then
  echo "setup:browser: apt-get installed chromium but no Chromium is at /usr/bin/chromium or on the PATH; set CHROMIUM_PATH" >&2
  exit 1
fi
echo "setup:browser: Chromium installed at $found"
