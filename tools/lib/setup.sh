# SPDX-License-Identifier: Apache-2.0
# Shared set-up for tools/quickstart and tools/check (sourced, not run).
# Installs missing Debian 12 packages, then configures and builds weft.

WEFT_ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
WEFT_PY=/usr/bin/python3   # Debian's python3, which sees python3-h5py & co.

# Packages to build and run weft.
WEFT_RUN_PACKAGES=(g++ cmake ninja-build ccache pkg-config
  openmpi-bin libopenmpi-dev libhdf5-openmpi-dev hdf5-tools libeigen3-dev
  libboost-fiber-dev libboost-context-dev libtomlplusplus-dev libcli11-dev
  libfmt-dev libspdlog-dev libgtest-dev libgmock-dev
  python3 python3-h5py python3-numpy python3-matplotlib python3-scipy)
# Further packages for the test suite: LAMMPS (the oracle), setpriv,
# clang-format 14 (tools/format, the hygiene.format test), yt (gravity snapshots
# load as Gadget HDF5: the gravity.snapshots test).
WEFT_CHECK_PACKAGES=(lammps util-linux python3-mdanalysis slurm-wlm munge strace clang-format
  python3-yt)

log() { printf '==> %s\n' "$*"; }

# ensure_packages NAME... installs the packages that are not installed yet.
ensure_packages() {
  local missing=()
  for p in "$@"; do
    dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
  done
  [ ${#missing[@]} -eq 0 ] && return 0
  local line="apt-get update && apt-get install -y --no-install-recommends ${missing[*]}"
  if [ "$(id -u)" -ne 0 ]; then
    echo "weft needs these Debian packages: ${missing[*]}" >&2
    echo "Install them as root, then run this command again:" >&2
    echo "  sudo sh -c '$line'" >&2
    exit 1
  fi
  log "installing ${missing[*]}"
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq
  apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
}

# mpirun_cmd NP prints an mpirun command line that works as root and with
# more ranks than cores.
mpirun_cmd() {
  local np=$1 extra=()
  [ "$(id -u)" -eq 0 ] && extra+=(--allow-run-as-root)
  [ "$(nproc)" -lt "$np" ] && extra+=(--oversubscribe)
  echo mpirun "${extra[@]}" -np "$np"
}

# configure DIR ARGS... configures a build directory once (re-running cmake
# only when the cache is missing); later builds are incremental.
configure() {
  local dir=$1
  shift
  if [ ! -f "$dir/CMakeCache.txt" ]; then
    log "configuring $dir"
    cmake -S "$WEFT_ROOT" -B "$dir" -G Ninja "$@" >"$dir.configure.log" 2>&1 || {
      cat "$dir.configure.log" >&2
      return 1
    }
  else
    cmake "$dir" "$@" >"$dir.configure.log" 2>&1 || { cat "$dir.configure.log" >&2; return 1; }
  fi
}

# ensure_duckdb installs DuckDB for node (tools/duckdb: the events oracle)
# from the committed package-lock.json into tools/duckdb/node_modules, once.
ensure_duckdb() {
  local dir="$WEFT_ROOT/tools/duckdb"
  [ -f "$dir/node_modules/@duckdb/node-api/package.json" ] && return 0
  # Node.js with npm: Debian's nodejs and npm when there is no npm yet (a
  # Node.js from elsewhere, e.g. nodesource's, brings its own npm).
  command -v npm >/dev/null 2>&1 || ensure_packages nodejs npm
  log "installing DuckDB for node into tools/duckdb/node_modules"
  (cd "$dir" && npm ci --no-audit --no-fund --loglevel=error >/dev/null)
}
