#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Build (or reuse) the debug kernel of `make check` and print its directory.
#
#   build-debug-kernel.sh            build when missing; print DIR on stdout
#   build-debug-kernel.sh --dir      print DIR only (exit 1 if not built yet)
#   build-debug-kernel.sh --verify CONFIG
#                                    check a .config against debug.config
#
# Source: Debian's linux-source-$KSERIES tarball.  Config: x86_64
# allnoconfig, debug.config merged with scripts/kconfig/merge_config.sh,
# make olddefconfig; the build fails when an option of debug.config does not
# end up set as written there.  No debug info.
#
# DIR = $CACHE/debug-kernel/<linux-source version>-<hash of debug.config>/:
#   bzImage                     the kernel (run-vm.sh --kernel)
#   linux/                      the built tree (KDIR for out-of-tree modules)
#   modroot/lib/modules/<rel>/  modules.dep etc. (run-vm.sh --moddir)
#   release                     the kernel release (uname -r)
#   build.log                   the log of the build
# Other complete builds in $CACHE/debug-kernel/ are removed after a build.
# Progress goes to stderr.  The compiler runs under nice -n 10 with
# -j$(nproc) (JOBS overrides).
set -euo pipefail

# shellcheck source-path=SCRIPTDIR source=../lib/common.sh
. "$(dirname "$0")/../lib/common.sh"

HERE=$(cd "$(dirname "$0")" && pwd)
FRAG=$HERE/debug.config
# Bump when the build recipe changes in a way that needs a new kernel.
RECIPE=1

# verify_config FRAGMENT CONFIG: every "CONFIG_X=V" of FRAGMENT must be in
# CONFIG verbatim, every "# CONFIG_X is not set" must not be set there.
verify_config() {
	awk '
	FNR == NR {
		if ($0 ~ /^CONFIG_[A-Za-z0-9_]+=/) {
			k = $0; sub(/=.*/, "", k); want[k] = substr($0, length(k) + 2)
			order[++n] = k
		} else if ($0 ~ /^# CONFIG_[A-Za-z0-9_]+ is not set$/) {
			want[$2] = "n"; order[++n] = $2
		}
		next
	}
	/^CONFIG_[A-Za-z0-9_]+=/ {
		k = $0; sub(/=.*/, "", k); have[k] = substr($0, length(k) + 2)
	}
	END {
		bad = 0
		for (i = 1; i <= n; i++) {
			k = order[i]
			got = (k in have) ? have[k] : "n"
			if (got != want[k]) {
				printf "debug.config: %s=%s requested, final .config has %s\n",
					k, want[k], (k in have) ? k "=" got : "it unset" > "/dev/stderr"
				bad++
			}
		}
		if (bad)
			printf "debug.config: %d of %d options not set as requested\n",
				bad, n > "/dev/stderr"
		exit bad > 0
	}' "$1" "$2"
}

if [ "${1:-}" = --verify ]; then
	[ $# -eq 2 ] || die "usage: $0 --verify CONFIG"
	verify_config "$FRAG" "$2"
	exit
fi

tarball=/usr/src/linux-source-$KSERIES.tar.xz
[ -r "$tarball" ] || die "no $tarball; run make deps"
srcver=$(dpkg-query -W -f='${Version}' "linux-source-$KSERIES" 2>/dev/null) ||
	die "linux-source-$KSERIES is not installed; run make deps"
hash=$({ echo "recipe $RECIPE"; cat "$FRAG"; } | sha256sum | cut -c1-12)
top=$CACHE/debug-kernel
dir=$top/$srcver-$hash

if [ "${1:-}" = --dir ]; then
	echo "$dir"
	[ -e "$dir/.complete" ]
	exit
fi
[ $# -eq 0 ] || die "usage: $0 [--dir | --verify CONFIG]"

if [ -e "$dir/.complete" ]; then
	echo "$dir"
	exit 0
fi

mkdir -p "$top"
# One build per key at a time; a second caller waits, then reuses it.
exec 9>"$top/.lock-$srcver-$hash"
if ! flock -n 9; then
	note "another build of $dir is running; waiting"
	flock 9
fi
if [ -e "$dir/.complete" ]; then
	echo "$dir"
	exit 0
fi

src=$dir/linux
log=$dir/build.log
jobs=${JOBS:-$(nproc)}
start=$(date +%s)
mkdir -p "$dir"
: >"$log"
unset MAKEFLAGS MFLAGS MAKELEVEL
kmake() {
	nice -n 10 make -C "$src" ARCH=x86_64 -j"$jobs" "$@"
}

elapsed() {
	local s=$(($(date +%s) - start))
	printf '%dm%02ds' $((s / 60)) $((s % 60))
}

# step DESCRIPTION COMMAND...: run with output in build.log, show it on
# failure.
step() {
	local what=$1
	shift
	note "debug kernel: $what ($(elapsed))"
	if ! "$@" >>"$log" 2>&1; then
		tail -n 40 "$log" >&2
		die "debug kernel: $what failed; log: $log"
	fi
}

# The compile, with a progress line every 30 s (objects built so far; a
# complete build makes about PREV of them, from the previous build if any).
compile() {
	local pid n prev
	prev=$(cat "$top/.objects" 2>/dev/null || echo 1450)
	note "debug kernel: compiling in $src (-j$jobs, nice 10; about 12 min of 2 idle cores)"
	# Not through kmake(): $! must be make itself (nice execs it).
	nice -n 10 make -C "$src" ARCH=x86_64 -j"$jobs" all >>"$log" 2>&1 &
	pid=$!
	trap 'kill "$pid" 2>/dev/null; exit 130' INT TERM HUP
	while ! wait_timeout "$pid" 30; do
		n=$(grep -cE '^  (CC|AS)' "$log" || true)
		note "debug kernel: $n/~$prev objects, $(elapsed)"
	done
	trap - INT TERM HUP
	if ! wait "$pid"; then
		grep -E 'error|Error' "$log" | head -n 20 >&2 || true
		tail -n 20 "$log" >&2
		die "debug kernel: compile failed; log: $log"
	fi
	grep -cE '^  (CC|AS)' "$log" >"$top/.objects.new" || true
	# Only a build from scratch tells how many objects there are.
	[ "$(cat "$top/.objects.new")" -lt 1000 ] ||
		mv -f "$top/.objects.new" "$top/.objects"
	rm -f "$top/.objects.new"
}

# wait_timeout PID SECS: 0 when PID ended within SECS.
wait_timeout() {
	local i
	for ((i = 0; i < $2; i++)); do
		kill -0 "$1" 2>/dev/null || return 0
		sleep 1
	done
	! kill -0 "$1" 2>/dev/null
}

if [ ! -e "$dir/.extracted" ]; then
	rm -rf "$src"
	mkdir -p "$src"
	step "extracting $tarball" \
		tar -xJf "$tarball" -C "$src" --strip-components=1
	touch "$dir/.extracted"
fi

if [ ! -e "$dir/.configured" ]; then
	step "make allnoconfig" kmake allnoconfig
	step "merging debug.config" \
		env ARCH=x86_64 "$src/scripts/kconfig/merge_config.sh" -m \
		-O "$src" "$src/.config" "$FRAG"
	step "make olddefconfig" kmake olddefconfig
	note "debug kernel: verifying .config against debug.config"
	verify_config "$FRAG" "$src/.config" ||
		die "debug kernel: debug.config not applied (see above); edit $FRAG"
	touch "$dir/.configured"
fi

compile

release=$(kmake -s kernelrelease)
rm -rf "$dir/modroot"
step "make modules_install" kmake INSTALL_MOD_PATH="$dir/modroot" \
	DEPMOD=/sbin/depmod modules_install
[ -e "$dir/modroot/lib/modules/$release/modules.dep" ] ||
	die "no modroot/lib/modules/$release/modules.dep"
cp -f "$src/arch/x86/boot/bzImage" "$dir/bzImage"
echo "$release" >"$dir/release"
touch "$dir/.complete"
note "debug kernel $release built in $(elapsed): $dir"

# Drop older complete builds (a few GB each).
for d in "$top"/*/; do
	d=${d%/}
	if [ "$d" = "$dir" ] || [ ! -e "$d/.complete" ]; then
		continue
	fi
	note "removing the old debug kernel $d"
	rm -rf "$d"
done
echo "$dir"
