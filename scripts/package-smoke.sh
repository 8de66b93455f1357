#!/bin/bash
# Builds the Debian package, checks it (lintian, desktop-file-validate, appstreamcli),
# installs it with apt-get, runs the installed binary (--version, and a serve + connect
# round trip on loopback) and removes the package again, also when a step fails.
#
#   scripts/package-smoke.sh [BUILD_DIR]      default: build/package (configured if needed)
#
# Needs root (apt-get), network access to Debian's archive for the dependencies, and the
# tools that scripts/setup.sh installs (dpkg-dev, lintian, desktop-file-utils,
# appstream). Every step is bounded in time.
set -euo pipefail

root=$(cd "$(dirname "$0")/.." && pwd)
build=${1:-$root/build/package}
case $build in /*) ;; *) build=$PWD/$build ;; esac
work=$(mktemp -d)
serve_pid=
installed_by_us=0

step() { printf '\n== %s\n' "$*"; }
fail() { printf 'package-smoke: FAILED: %s\n' "$*" >&2; exit 1; }

cleanup() {
    local status=$?
    if [[ -n $serve_pid ]] && kill -0 "$serve_pid" 2>/dev/null; then
        kill -TERM "$serve_pid" 2>/dev/null || true
        # bounded: SIGKILL after 5 s
        for _ in $(seq 50); do kill -0 "$serve_pid" 2>/dev/null || break; sleep 0.1; done
        kill -KILL "$serve_pid" 2>/dev/null || true
    fi
    if [[ $installed_by_us == 1 ]]; then
        step "removing the package"
        timeout 300 apt-get remove -y sockpit >"$work/remove.log" 2>&1 \
            || { cat "$work/remove.log"; status=1; }
    fi
    rm -rf "$work"
    if [[ $status == 0 ]]; then
        echo "package-smoke: 1 passed, 0 failed"
    else
        echo "package-smoke: 0 passed, 1 failed"
    fi
    exit "$status"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

if dpkg-query -W -f='${Status}' sockpit 2>/dev/null | grep -q 'install ok installed'; then
    fail "a sockpit package is already installed; remove it first (this test removes what it installs)"
fi

step "building the package in $build"
if [[ ! -f $build/CMakeCache.txt ]]; then
    timeout 300 cmake -S "$root" -B "$build" -G Ninja -DCMAKE_BUILD_TYPE=Release \
        -DSOCKPIT_BUILD_TESTS=OFF >"$work/configure.log" 2>&1 \
        || { cat "$work/configure.log"; fail "cmake configure"; }
fi
timeout 1800 cmake --build "$build" -j2 --target sockpit sockpit_packaging_files \
    || fail "build"
rm -f "$build"/sockpit_*.deb
(cd "$build" && timeout 600 cpack -G DEB) >"$work/cpack.log" 2>&1 \
    || { cat "$work/cpack.log"; fail "cpack"; }
debs=("$build"/sockpit_*.deb)
[[ ${#debs[@]} == 1 && -f ${debs[0]} ]] || fail "expected exactly one sockpit_*.deb in $build"
deb=${debs[0]}
echo "built $deb"

step "package metadata"
depends=$(dpkg-deb -f "$deb" Depends)
echo "Depends: $depends"
# Computed by dpkg-shlibdeps, never hand-listed: the Qt libraries must be there.
[[ $depends == *libqt6widgets6* && $depends == *libqt6websockets6* ]] \
    || fail "Depends lacks the Qt libraries computed by dpkg-shlibdeps"
[[ $(dpkg-deb -f "$deb" Section) == net ]] || fail "section is not net"

step "lintian"
timeout 600 lintian --fail-on error --tag-display-limit 0 "$deb" | tee "$work/lintian.log" \
    || fail "lintian reports errors"

step "installing with apt-get"
installed_by_us=1
DEBIAN_FRONTEND=noninteractive timeout 900 apt-get install -y --no-install-recommends "$deb" \
    >"$work/install.log" 2>&1 || { cat "$work/install.log"; fail "apt-get install"; }

step "installed files"
for file in /usr/bin/sockpit \
    /usr/share/applications/io.github.sockpit.Sockpit.desktop \
    /usr/share/metainfo/io.github.sockpit.Sockpit.metainfo.xml \
    /usr/share/icons/hicolor/scalable/apps/sockpit.svg \
    /usr/share/icons/hicolor/16x16/apps/sockpit.png \
    /usr/share/icons/hicolor/256x256/apps/sockpit.png \
    /usr/share/man/man1/sockpit.1.gz \
    /usr/share/doc/sockpit/copyright; do
    [[ -f $file ]] || fail "missing $file"
done
timeout 60 desktop-file-validate /usr/share/applications/io.github.sockpit.Sockpit.desktop \
    || fail "desktop-file-validate"
timeout 120 appstreamcli validate --no-net /usr/share/metainfo/io.github.sockpit.Sockpit.metainfo.xml \
    || fail "appstreamcli validate"

step "sockpit --version"
version=$(timeout 30 /usr/bin/sockpit --version) || fail "sockpit --version exited non-zero"
echo "$version"
[[ $version == sockpit\ * ]] || fail "unexpected --version output: $version"

step "sockpit serve + sockpit connect round trip"
/usr/bin/sockpit serve --listen 127.0.0.1:0 2>"$work/serve.err" >"$work/serve.out" &
serve_pid=$!
url=
for _ in $(seq 200); do # at most 20 s
    line=$(head -n 1 "$work/serve.err" 2>/dev/null || true)
    if [[ $line == "listening on ws://"* ]]; then
        url=${line#listening on }
        break
    fi
    kill -0 "$serve_pid" 2>/dev/null || break
    sleep 0.1
done
[[ -n $url ]] || { cat "$work/serve.err"; fail "serve did not print 'listening on ws://HOST:PORT'"; }
echo "server: $url"
reply=$(timeout 30 /usr/bin/sockpit connect "$url" --send hi --expect 1 --timeout 20 \
    2>"$work/connect.err") || { cat "$work/connect.err"; fail "connect exited non-zero"; }
echo "reply: $reply"
[[ $reply == hi ]] || fail "expected the echo 'hi', got '$reply'"
kill -TERM "$serve_pid"
for _ in $(seq 100); do # at most 10 s
    kill -0 "$serve_pid" 2>/dev/null || break
    sleep 0.1
done
kill -0 "$serve_pid" 2>/dev/null && fail "serve did not exit within 10 s of SIGTERM"
serve_status=0
wait "$serve_pid" || serve_status=$?
serve_pid=
[[ $serve_status == 0 ]] || fail "serve exited with $serve_status on SIGTERM (expected 0)"
