#!/usr/bin/env bash
# Installs what is missing (Debian 12 packages), builds evo in Release, and then:
#   bootstrap.sh demo   runs the default search (2^x on [0,1]) into ./evo.db
#   bootstrap.sh test   runs the whole test suite through CTest
#   bootstrap.sh build  only builds
#   bootstrap.sh deps [PACKAGE...]   only installs what is missing (plus any packages named)
set -euo pipefail

here="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
build_dir="${EVO_BUILD_DIR:-$here/build}"
build_type="${EVO_BUILD_TYPE:-Release}"

packages=(
  cmake g++ make pkg-config
  libboost-program-options-dev libboost-serialization-dev
  libtbb-dev libspdlog-dev libsqlite3-dev libsqlitecpp-dev libxxhash-dev
  nlohmann-json3-dev libnlopt-cxx-dev libgtest-dev libgmock-dev libbenchmark-dev sqlite3
  libsleef-dev
  libeigen3-dev zlib1g-dev dataset-fashion-mnist
  libboost-mpi-dev openmpi-bin
  libtomlplusplus-dev
  python3
)

install_missing() {
  local missing=()
  for p in "${packages[@]}"; do
    dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
  done
  if ((${#missing[@]})); then
    echo "installing: ${missing[*]}" >&2
    local sudo=""
    [[ $(id -u) -ne 0 ]] && sudo="sudo"
    $sudo apt-get update -qq
    DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq "${missing[@]}" >/dev/null
  fi
}

build() {
  cmake -S "$here" -B "$build_dir" -DCMAKE_BUILD_TYPE="$build_type" ${EVO_CMAKE_ARGS:-} >/dev/null
  cmake --build "$build_dir" -j "$(nproc)"
}

cmd="${1:-demo}"
case "$cmd" in
  deps) shift; packages+=("$@"); install_missing ;;
  build) install_missing; build ;;
  demo)
    install_missing; build
    "$build_dir/tools/evo" run --domain funcapprox --set target=exp2 --set interval=0:1 \
      --set max_ops=10 --set selection=nsga2 --budget "${EVO_DEMO_BUDGET:-50000}" --seed 1 --db "${EVO_DB:-./evo.db}" --name demo
    ;;
  test)
    packages+=(chromium)  # the report test loads a page in headless Chromium
    install_missing; build
    ctest --test-dir "$build_dir" --output-on-failure -j "$(nproc)"
    ;;
  *) echo "usage: tools/bootstrap.sh [demo|test|build|deps]" >&2; exit 2 ;;
esac
