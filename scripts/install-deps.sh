#!/usr/bin/env bash
# Installs every Debian 12 package factorkit needs to build, test, fuzz and benchmark.
# This is the one place the package list lives. Idempotent: when everything is
# present it installs nothing and prints nothing. Run as root (or with sudo).
set -euo pipefail

PACKAGES=(
  # build tools
  g++ cmake ninja-build ccache pkg-config git
  # numeric stack: LibTorch with OpenBLAS (without an OpenBLAS LibTorch falls
  # back to the reference BLAS and runs ~25x slower). The OpenMP build of
  # OpenBLAS shares LibTorch's OpenMP thread pool; the pthread build runs a
  # second pool whose spinning threads fight LibTorch's (randomized SVD on
  # bench/linalg's input, 2 cores: 1.60 s -> 1.04 s; see docs/architecture.md).
  libtorch-dev libopenblas0-openmp libeigen3-dev
  # small libraries
  nlohmann-json3-dev libfmt-dev libcli11-dev zlib1g-dev
  # tests and benchmarks
  libgtest-dev libgmock-dev googletest libbenchmark-dev python3-numpy
  # benchmark peers and fixture generators (scikit-learn, scipy; the ESMA
  # reference runs on sympy and mpmath; PyTorch for bench/optics and for the
  # LightSB reference in bench/lightsb, which also imports tqdm)
  python3-sklearn python3-scipy python3-sympy python3-mpmath python3-torch python3-tqdm
  # exact arithmetic (ESMA, SEM)
  libflint-dev libflint-arb-dev
  # fuzzing and sanitizers
  clang libclang-rt-14-dev llvm
  # data
  dataset-fashion-mnist wordnet-base
  # tokenizer: spm_train trains the SentencePiece model of the WordNet text
  # (the library cannot share a process with LibTorch: see data/sentencepiece.h)
  sentencepiece
)

# Point libblas.so.3 / liblapack.so.3 at the OpenMP OpenBLAS even when another
# BLAS with a higher alternatives priority (e.g. libopenblas0-pthread) is installed.
select_openblas_openmp() {
  local dir=/usr/lib/x86_64-linux-gnu/openblas-openmp name
  [ -e "$dir/libblas.so.3" ] || return 0
  for name in libblas.so.3 liblapack.so.3; do
    local current
    current=$(readlink -f "/usr/lib/x86_64-linux-gnu/$name" 2>/dev/null || true)
    if [ "$current" != "$(readlink -f "$dir/$name")" ]; then
      $SUDO update-alternatives --set "$name-x86_64-linux-gnu" "$dir/$name" >/dev/null
    fi
  done
}

SUDO=""
if [ "$(id -u)" -ne 0 ]; then SUDO="sudo"; fi

missing=()
for p in "${PACKAGES[@]}"; do
  if ! dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed"; then
    missing+=("$p")
  fi
done
if [ ${#missing[@]} -eq 0 ]; then
  select_openblas_openmp
  exit 0
fi
echo "install-deps: installing ${#missing[@]} package(s): ${missing[*]}" >&2
export DEBIAN_FRONTEND=noninteractive
$SUDO apt-get update -qq >/dev/null
$SUDO apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
select_openblas_openmp
echo "install-deps: done" >&2
