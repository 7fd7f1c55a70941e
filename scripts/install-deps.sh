#!/usr/bin/env bash
# Installs every Debian 12 package factorkit needs to build, test, fuzz and benchmark.
# This is the one place the package list lives. Idempotent: when everything is
# present it installs nothing and prints nothing. Run as root (or with sudo).
set -euo pipefail

PACKAGES=(
  # build tools
  g++ cmake ninja-build ccache pkg-config git
  # numeric stack: LibTorch with OpenBLAS (without libopenblas0-pthread LibTorch
  # falls back to the reference BLAS and runs ~25x slower)
  libtorch-dev libopenblas0-pthread libeigen3-dev
  # small libraries
  nlohmann-json3-dev libfmt-dev libcli11-dev zlib1g-dev
  # tests and benchmarks
  libgtest-dev libgmock-dev googletest libbenchmark-dev python3-numpy
  # benchmark peers and fixture generators (scikit-learn, scipy)
  python3-sklearn python3-scipy
  # exact arithmetic (ESMA, SEM)
  libflint-dev libflint-arb-dev
  # fuzzing and sanitizers
  clang libclang-rt-14-dev llvm
  # data
  dataset-fashion-mnist wordnet-base
)

missing=()
for p in "${PACKAGES[@]}"; do
  if ! dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed"; then
    missing+=("$p")
  fi
done
[ ${#missing[@]} -eq 0 ] && exit 0

SUDO=""
if [ "$(id -u)" -ne 0 ]; then SUDO="sudo"; fi
echo "install-deps: installing ${#missing[@]} package(s): ${missing[*]}" >&2
export DEBIAN_FRONTEND=noninteractive
$SUDO apt-get update -qq >/dev/null
$SUDO apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
echo "install-deps: done" >&2
