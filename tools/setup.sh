#!/usr/bin/env bash
# Installs what caplnet needs from Debian (only what is missing) and builds it.
#   tools/setup.sh              normal build in build/
#   tools/setup.sh --sanitize   AddressSanitizer + UndefinedBehaviorSanitizer build in build-asan/
set -euo pipefail
cd "$(dirname "$0")/.."

packages=(cmake g++ make pkg-config liblwip-dev libpcap-dev catch2 libvdeplug-dev vdeplug
          libtomlplusplus-dev libcli11-dev libspdlog-dev libexpected-dev nlohmann-json3-dev tshark iproute2
          iputils-ping python3 libabsl-dev)
missing=()
for p in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if ((${#missing[@]})); then
  echo "setup: installing ${missing[*]}"
  export DEBIAN_FRONTEND=noninteractive
  # tshark asks whether non-root users may capture; answer for it.
  echo "wireshark-common wireshark-common/install-setuid boolean false" | debconf-set-selections
  apt-get update -q
  apt-get install -y -q --no-install-recommends "${missing[@]}"
fi

build=build
flags=(-DCMAKE_BUILD_TYPE=RelWithDebInfo)
if [[ "${1:-}" == "--sanitize" ]]; then
  build=build-asan
  flags=(-DCMAKE_BUILD_TYPE=Debug -DCAPLNET_SANITIZE=ON)
fi
cmake -S . -B "$build" "${flags[@]}" > /dev/null
cmake --build "$build" -j "$(nproc)"
