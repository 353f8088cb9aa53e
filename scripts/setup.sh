#!/usr/bin/env bash
# Installs every build dependency and every oracle tool the tests use, from Debian.
# Idempotent: packages already present are skipped, so a second run asks no registry.
set -euo pipefail

packages=(
  # build
  cmake ninja-build g++ pkg-config
  libboost-dev libfmt-dev zlib1g-dev doctest-dev nlohmann-json3-dev libcli11-dev
  pybind11-dev python3-dev python3-pybind11 python3-pytest python3-setuptools python3-pip
  python3-venv python3-wheel
  # fuzzing: clang with libFuzzer and the sanitizer runtimes
  clang libclang-rt-14-dev
  # independent oracles used by the tests and fixture scripts
  sleuthkit ntfs-3g qemu-utils libvhdi-utils python3-libvhdi libfsntfs-utils libvshadow-utils python3-libvshadow
  gdisk fdisk dosfstools ldmtool partclone xz-utils attr faketime
  # kill tests: strace stops a writer with SIGKILL at its Nth write
  strace util-linux
  # benchmarks (tests/bench): timing arithmetic
  bc linux-perf
  # the API reference from the public headers (the api-reference target and test)
  doxygen
)

missing=()
for package in "${packages[@]}"; do
  if ! dpkg-query -W -f='${Status}' "$package" 2>/dev/null | grep -q '^install ok installed$'; then
    missing+=("$package")
  fi
done

if [ ${#missing[@]} -eq 0 ]; then
  echo "setup: all ${#packages[@]} packages present"
  exit 0
fi

echo "setup: installing ${missing[*]}"
sudo_cmd=()
[ "$(id -u)" -eq 0 ] || sudo_cmd=(sudo)
export DEBIAN_FRONTEND=noninteractive
"${sudo_cmd[@]}" apt-get update -qq
"${sudo_cmd[@]}" apt-get install -y -qq --no-install-recommends "${missing[@]}"
