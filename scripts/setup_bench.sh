#!/usr/bin/env bash
# Installs what the benchmark suite needs on top of scripts/setup.sh: the
# PyTorch peer runs on Debian's python3-torch (1.13) and python3-numpy, with
# the system interpreter (/usr/bin/python3). Safe to re-run: it only calls apt
# when something is missing.
set -euo pipefail
cd "$(dirname "$0")/.."
./scripts/setup.sh

packages=(python3-torch python3-numpy)

missing=()
for p in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done

if ((${#missing[@]})); then
  echo "setup_bench: installing ${missing[*]}"
  SUDO=""
  [ "$(id -u)" -ne 0 ] && SUDO=sudo
  $SUDO apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends "${missing[@]}"
fi
