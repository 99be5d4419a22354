#!/usr/bin/env bash
# System packages the tests need, installed only when missing (a fresh machine has none).
set -euo pipefail
need=()
for pkg in chromium fonts-noto-cjk redis-server libpango-1.0-0 libpangoft2-1.0-0 libcairo2 libreoffice-calc-nogui openscap-scanner ssg-debian poppler-utils; do
  dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null | grep -q "install ok installed" || need+=("$pkg")
done
if [ ${#need[@]} -eq 0 ]; then
  exit 0
fi
SUDO=""
if [ "$(id -u)" -ne 0 ]; then SUDO="sudo"; fi
echo "Installing system packages: ${need[*]}"
$SUDO apt-get update -qq
DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends "${need[@]}" >/dev/null
