#!/bin/sh
# Installs the Debian packages post2epub needs, when missing.
#   tools/deps.sh          build and run (make demo)
#   tools/deps.sh --test   also what `make check` needs (epubcheck, a JRE, cmocka…)
# As root it runs apt-get; otherwise through sudo when available; otherwise it
# prints the exact command to run and fails.
set -eu

pkgs="build-essential pkg-config libyaml-dev libxml2-dev libcurl4-openssl-dev libzip-dev libssl-dev libmd4c-dev libmd4c-html0-dev libdeflate-dev libvips-dev libmimalloc-dev"
if [ "${1:-}" = "--test" ]; then
	pkgs="$pkgs libcmocka-dev epubcheck default-jre-headless unzip zip python3 mandoc valgrind libvips-tools"
fi

missing=""
for p in $pkgs; do
	if ! dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed'; then
		missing="$missing $p"
	fi
done
[ -z "$missing" ] && exit 0

echo "post2epub: installing Debian packages:$missing"
if [ "$(id -u)" = 0 ]; then
	run=""
elif command -v sudo >/dev/null 2>&1; then
	run="sudo"
else
	echo "post2epub: cannot install packages (not root, no sudo). Run as root:" >&2
	echo "  apt-get update && apt-get install -y$missing" >&2
	exit 1
fi
export DEBIAN_FRONTEND=noninteractive
$run apt-get update -qq || true
# shellcheck disable=SC2086
if ! $run apt-get install -y -qq --no-install-recommends $missing; then
	echo "post2epub: package installation failed; run by hand:" >&2
	echo "  apt-get update && apt-get install -y$missing" >&2
	exit 1
fi
