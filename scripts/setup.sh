#!/usr/bin/env bash
# Brings a Debian 12 machine to the point where Sockpit builds and its tests run, then
# configures and builds. Safe to run again: it installs only what is missing and rebuilds
# only what changed. Used by scripts/start and scripts/test (and so by CI).
set -euo pipefail

root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
preset=${SOCKPIT_PRESET:-default}
build_dir="$root/build/$preset"

# Debian packages the build, the tests and the packaging checks need.
packages=(
    cmake ninja-build g++ ccache pkg-config git clang-format
    qt6-base-dev qt6-websockets-dev qt6-tools-dev qt6-tools-dev-tools qt6-l10n-tools
    qt6-translations-l10n qt6-svg-dev libqt6svg6 qt6-qpa-plugins libgl-dev
    libssl-dev openssl
    xvfb xauth
    fonts-wqy-microhei
    iproute2
    desktop-file-utils appstream lintian dpkg-dev file
    chromium
    clang libclang-rt-14-dev
)

missing_packages() {
    local pkg status
    for pkg in "${packages[@]}"; do
        status=$(dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null || true)
        [[ "$status" == "install ok installed" ]] || printf '%s\n' "$pkg"
    done
    command -v node >/dev/null 2>&1 || printf '%s\n' nodejs
    command -v npm >/dev/null 2>&1 || printf '%s\n' npm
}

install_packages() {
    local missing
    mapfile -t missing < <(missing_packages)
    ((${#missing[@]} == 0)) && return 0
    echo "setup: installing ${missing[*]}" >&2
    local sudo=()
    ((EUID == 0)) || sudo=(sudo)
    "${sudo[@]}" apt-get update -qq
    DEBIAN_FRONTEND=noninteractive "${sudo[@]}" apt-get install -y -qq --no-install-recommends \
        "${missing[@]}" >/dev/null
}

# The Node `ws` peers of the interop tests, exactly as pinned in package-lock.json.
install_node_peers() {
    local dir="$root/tests/interop"
    local stamp="$dir/node_modules/.package-lock.json"
    if [[ -f "$stamp" && ! "$dir/package-lock.json" -nt "$stamp" ]]; then
        return 0
    fi
    echo "setup: installing the Node test peers (npm ci)" >&2
    (cd "$dir" && npm ci --no-audit --no-fund --loglevel=error >/dev/null)
}

build() {
    # Lets ccache reuse objects between clones of the repository (paths below the
    # source root are hashed relative to it).
    export CCACHE_BASEDIR="$root" CCACHE_NOHASHDIR=true
    if [[ ! -f "$build_dir/CMakeCache.txt" ]]; then
        cmake --preset "$preset" -S "$root" >/dev/null
    fi
    cmake --build "$build_dir" -j2
}

install_packages
# scripts/fuzz needs the packages only: it builds its own preset.
[[ "${SOCKPIT_SETUP_PACKAGES_ONLY:-0}" == 1 ]] && exit 0
install_node_peers
build
