# SPDX-License-Identifier: GPL-2.0
#
# make check, part 1: the checks on the host, sourced by check.sh (its
# variables and account(), build_test() below): build@$KSERIES (modules with
# W=1 and sparse, checkpatch, selftests, DKMS, make install), harness@host,
# guide@host and build@6.1 (the compile matrix).  Each prints its summary
# line as it ends.
# shellcheck shell=bash disable=SC2154,SC2153,SC2034 # variables of check.sh

# --- build@6.12: builds against the headers of KVER ($KSERIES) ------------
B_P=0 B_F=0 B_S=0 B_ENV=$KSERIES

# build_test NAME LOG BAD_REGEX COMMAND...: passes when COMMAND succeeds and
# its output has no line matching BAD_REGEX (extended, case-insensitive).
build_test() {
	local name=$1 log=$OUT/$2 bad=$3 rc=0
	shift 3
	"$@" >"$log" 2>&1 || rc=$?
	if [ "$rc" -eq 0 ] && ! grep -qiE "$bad" "$log"; then
		B_P=$((B_P + 1))
		return 0
	fi
	B_F=$((B_F + 1))
	FAILED_LOGS+=("$log")
	{
		echo "build@$B_ENV: FAILED: $name (status $rc), $log:"
		if grep -iE "$bad" "$log"; then :; else tail -n 30 "$log"; fi |
			head -n 60
	} >&2
}

kmake() {
	make -C "$KDIR" M="$REPO" -j"$(nproc)" "$@"
}

# Kbuild skips up-to-date objects: clean so that every warning shows.
kmake clean >/dev/null 2>&1 || true
build_test "modules, W=1" build-w1.log 'warning:' kmake W=1 modules
# Nothing left to compile: this run only runs sparse (CHECK) on every file.
build_test "sparse (C=2)" build-sparse.log 'warning:|error:' \
	kmake W=1 C=2 modules

checkpatch() {
	local cp files
	cp=$(linux_source_dir)/scripts/checkpatch.pl
	[ -e "$cp" ] || { echo "no $cp: run make deps"; return 1; }
	if git rev-parse --is-inside-work-tree >/dev/null 2>&1; then
		mapfile -t files < <(git ls-files -co --exclude-standard \
			'drivers/*.[ch]' 'include/*.[ch]')
	else
		mapfile -t files < <(find drivers include -name '*.[ch]' \
			! -name '*.mod.c' | sort)
	fi
	[ ${#files[@]} -gt 0 ] || { echo "no C files"; return 0; }
	# The compatibility header is where the kernel version tests live
	# (nowhere else): LINUX_VERSION_CODE is its business.
	local compat=include/linux/cdma_compat.h rc=0
	mapfile -t files < <(printf '%s\n' "${files[@]}" | grep -vxF "$compat")
	echo "checkpatch: ${#files[@]} files, and $compat"
	perl "$cp" --strict --no-tree --terse --show-types --no-summary \
		-f "${files[@]}" || rc=1
	[ ! -e "$compat" ] || perl "$cp" --strict --no-tree --terse \
		--show-types --no-summary \
		--ignore LINUX_VERSION_CODE,CONSTANT_COMPARISON -f "$compat" || rc=1
	# User space: the tools, the library and the tests, but the kernel's
	# kselftest headers copied verbatim.  Three checks do not fit user
	# space: a test's assertion macro returns (the kselftest harness's
	# do too), a field name is no side effect, and a fallback for a kernel
	# without a system call tests ENOSYS.
	if git rev-parse --is-inside-work-tree >/dev/null 2>&1; then
		mapfile -t files < <(git ls-files -co --exclude-standard \
			'tools/*.[ch]')
	else
		mapfile -t files < <(find tools -name '*.[ch]' | sort)
	fi
	mapfile -t files < <(printf '%s\n' "${files[@]}" |
		grep -v '^tools/testing/selftests/kselftest\(_harness\)\{0,1\}\.h$')
	echo "checkpatch: ${#files[@]} files of tools/"
	[ ${#files[@]} -eq 0 ] || perl "$cp" --strict --no-tree --terse \
		--show-types --no-summary \
		--ignore MACRO_WITH_FLOW_CONTROL,MACRO_ARG_REUSE,ENOSYS \
		-f "${files[@]}" || rc=1
	return "$rc"
}
build_test "checkpatch --strict" checkpatch.log ': (ERROR|WARNING|CHECK):' \
	checkpatch

if [ -e "$SELFTESTS/Makefile" ]; then
	build_test "selftests build" build-selftests.log 'warning:' \
		make -B -C "$SELFTESTS" -f "$SELFTESTS/Makefile"
else
	echo "build@$B_ENV: skipped: no $SELFTESTS/Makefile" >&2
	B_S=$((B_S + 1))
fi

# DKMS: the sources of `make dkms-source`, added, built, installed and
# removed by dkms for $KVER in trees of their own under a temporary
# directory (the host's /usr/src, /var/lib/dkms and /lib/modules are left
# alone).  A pass is
# remembered in $CACHE/dkms/ under a hash of everything the build reads
# (sources, KVER, dkms and headers versions): the same inputs are not built
# again unless CHECK_DKMS=force.
# Debian's headers make dkms run readelf on a vmlinux without .comment.
dkms_run() {
	dkms "$@" 2>&1 | sed "/^readelf: Warning: Section '.comment' was not dumped/d"
}

dkms_check() {
	local t=$1 name ver key m f mods tree
	name=$(sed -n 's/^PACKAGE_NAME="\(.*\)"$/\1/p' dkms.conf)
	ver=$(sed -n 's/^PACKAGE_VERSION="\(.*\)"$/\1/p' dkms.conf)
	mapfile -t mods < <(sed -n 's|^obj-m += drivers/\(.*\)/$|\1|p' Kbuild)
	echo "dkms: $name $ver, modules ${mods[*]}, kernel $KVER"
	rm -rf "$t"
	mkdir -p "$t/tree" "$t/root/lib/modules/$KVER" "$CACHE/dkms"
	make -s dkms-source DESTDIR="$t/src" || return
	key=$({
		echo "$KVER"
		dkms --version
		dpkg-query -W -f='${Version}\n' "linux-headers-$KVER" 2>/dev/null
		cd "$t/src" && find . -type f | LC_ALL=C sort | xargs sha256sum
	} | sha256sum | cut -c1-16)
	if [ "${CHECK_DKMS:-}" != force ] && [ -e "$CACHE/dkms/pass-$key" ]; then
		echo "dkms: passed before with these inputs ($CACHE/dkms/pass-$key); CHECK_DKMS=force rebuilds"
		return 0
	fi
	# A machine owner key (DKMS signs the modules): made once, kept here.
	export mok_signing_key=$CACHE/dkms/mok.key
	export mok_certificate=$CACHE/dkms/mok.pub
	for f in modules.order modules.builtin modules.builtin.modinfo; do
		[ ! -e "/lib/modules/$KVER/$f" ] ||
			cp "/lib/modules/$KVER/$f" "$t/root/lib/modules/$KVER/"
	done
	local -a opt=(--dkmstree "$t/tree" --sourcetree "$t/src/usr/src"
		--installtree "$t/root/lib/modules" -m "$name" -v "$ver")
	dkms_run add "${opt[@]}" || return
	dkms_run build "${opt[@]}" -k "$KVER" || {
		cat "$t/tree/$name/$ver/build/make.log"
		return 1
	}
	tree=$t/tree/$name/$ver/$KVER/$(uname -m)
	cat "$tree/log/make.log"
	for m in "${mods[@]}"; do
		f=$(find "$tree/module" -name "$m.ko*")
		[ -n "$f" ] || { echo "dkms build made no $m.ko"; return 1; }
		echo "built: $f"
	done
	dkms_run install "${opt[@]}" -k "$KVER" --no-depmod || return
	depmod -b "$t/root" "$KVER" || return
	for m in "${mods[@]}"; do
		f=$(modinfo -b "$t/root" -k "$KVER" -F filename "$m") || return
		case $f in
		"$t/root/lib/modules/$KVER/updates/"*) echo "installed: $f" ;;
		*) echo "dkms install: $m is $f"; return 1 ;;
		esac
	done
	# Dependencies resolve within the installed modules.
	f=$(modprobe -d "$t/root" -S "$KVER" --show-depends cdma_soft) || return
	echo "$f"
	grep -q '/cdma_core\.ko' <<<"$f" || return
	dkms_run status --dkmstree "$t/tree" --sourcetree "$t/src/usr/src" \
		--installtree "$t/root/lib/modules"
	dkms_run remove "${opt[@]}" --all --no-depmod || return
	f=$(find "$t/root" -name '*.ko*')
	[ -z "$f" ] || { echo "dkms remove left $f"; return 1; }
	rm -f "$CACHE"/dkms/pass-*
	touch "$CACHE/dkms/pass-$key"
}
# dkms compares resolved paths with the ones it was given, and does not
# quote every expansion: its trees go in a directory of their own, by its
# real path, never under a repository reached through a link or with a
# blank in its path.
dkms_dir=$(realpath "$(mktemp -d "${TMPDIR:-/tmp}/unimem-rdma-dkms.XXXXXX")")
build_test "dkms add, build, install, remove -k $KVER" dkms.log \
	'warning:|^Error' dkms_check "$dkms_dir"
rm -rf "$dkms_dir"

# make install into a staging directory: modules, uAPI headers (usable from
# user space), udev rule, library and tools; make uninstall removes them.
# W=1 as above, so that Kbuild has nothing to rebuild.
# What udev's modprobe loads for the device ID a stock VMM presents, with
# the modprobe.d file make install put in the staging tree $1: our driver
# alone, where virtio_crypto (from the kernel's own tree, when there is
# one) would be loaded too without the file.
modalias_check() {
	local t=$OUT/modalias-root alias=virtio:d00000014v00001AF4 m
	local conf=$1/etc/modprobe.d
	rm -rf "$t" && mkdir -p "$t/lib/modules" "$t/none" || return
	cp -a "$1/lib/modules/$KVER" "$t/lib/modules/" || return
	m=$(find "/lib/modules/$KVER/kernel/drivers/crypto/virtio" \
		-name 'virtio_crypto.ko*' 2>/dev/null | head -n 1)
	[ -z "$m" ] || cp "$m" "$t/lib/modules/$KVER/" || return
	depmod -b "$t" "$KVER" 2>/dev/null || return
	echo "modules for $alias, without our modprobe.d:" \
		"$(modprobe -d "$t" -S "$KVER" -C "$t/none" -R "$alias" | xargs)"
	m=$(modprobe -d "$t" -S "$KVER" -C "$conf" -R "$alias" | xargs)
	echo "modules for $alias, with it: $m"
	rm -rf "$t"
	[ "$m" = virtio_rdma_remote ] ||
		{ echo "modprobe.d: $alias does not load virtio_rdma_remote alone"; return 1; }
}

install_check() {
	local d=$OUT/install-root f
	local -a mods want=(usr/local/include/linux/cdma.h
		usr/local/include/linux/virtio_rdma_remote.h
		lib/udev/rules.d/60-cdma.rules
		etc/modprobe.d/virtio_rdma_remote.conf)
	rm -rf "$d"
	# Debian's headers have no System.map: Kbuild skips depmod (which
	# make install runs itself, DESTDIR aside) with a warning.
	make install DESTDIR="$d" KVER="$KVER" KDIR="$KDIR" W=1 2>&1 |
		sed "/missing 'System.map' file. Skipping depmod/d" || return
	mapfile -t mods < <(sed -n 's|^obj-m += drivers/\(.*\)/$|\1|p' Kbuild)
	echo "installed:"
	(cd "$d" && find . ! -type d | sort)
	for f in "${want[@]}"; do
		[ -e "$d/$f" ] || { echo "make install: no $f"; return 1; }
	done
	for f in "${mods[@]}"; do
		f=lib/modules/$KVER/updates/unimem-rdma/drivers/$f/$f.ko
		compgen -G "$d/$f*" >/dev/null ||
			{ echo "make install: no $f*"; return 1; }
	done
	modalias_check "$d" || return
	printf '#include <linux/cdma.h>\n#include <linux/virtio_rdma_remote.h>\nint main(void) { return 0; }\n' |
		cc -Wall -Wextra -Werror -I"$d/usr/local/include" -x c - \
		-o "$OUT/uapi-test" || { echo "uAPI headers unusable"; return 1; }
	make uninstall DESTDIR="$d" KVER="$KVER" KDIR="$KDIR" W=1 || return
	f=$(cd "$d" && find . ! -type d)
	[ -z "$f" ] || { echo "make uninstall left: $f"; return 1; }
}
build_test "make install, uninstall (DESTDIR)" install.log \
	'warning:|error' install_check
account "build@$B_ENV: $B_P passed, $B_F failed, $B_S skipped"

# --- harness@host: the VM harness's own tests (vm/selftest.sh) -------------
"$VM/selftest.sh" >"$OUT/harness.tap" 2>"$OUT/harness.log" || true
line=$("$VM/tap-summary.sh" harness@host "$OUT/harness.tap") ||
	FAILED_LOGS+=("$OUT/harness.tap" "$OUT/harness.log")
account "$line"

# --- guide@host: what the admin guide tells a user to run (guide.sh) --------
"$REPO/tools/testing/guide.sh" check >"$OUT/guide.tap" 2>"$OUT/guide.log" || true
line=$("$VM/tap-summary.sh" guide@host "$OUT/guide.tap") ||
	FAILED_LOGS+=("$OUT/guide.tap" "$OUT/guide.log")
account "$line"
# Copy the module sources (what the stock build compiles) into DIR; only
# changed files are written, so that Kbuild rebuilds only what changed.
sync_sources() { # sync_sources DIR
	local dst=$1 f
	local -a files
	mapfile -t files < <(cd "$REPO" && { echo Kbuild; find drivers include \
		-type f \( -name '*.[chS]' -o -name Kbuild -o -name Makefile \) \
		! -name '*.mod.c'; } | sort)
	for f in "${files[@]}"; do
		cmp -s "$REPO/$f" "$dst/$f" && continue
		mkdir -p "$(dirname "$dst/$f")"
		cp "$REPO/$f" "$dst/$f"
	done
	(cd "$dst" && find drivers include -type f \( -name '*.[chS]' -o \
		-name Kbuild -o -name Makefile \) ! -name '*.mod.c' | sort) |
		comm -23 - <(printf '%s\n' "${files[@]}") |
		while read -r f; do rm -f "${dst:?}/$f"; done
}


# --- build@6.1: the compile matrix -----------------------------------------
# Debian 12 ships two kernel series: the modules also build warning-free
# (W=1, sparse) against bookworm's 6.1 headers (linux-headers-amd64).  Built
# from a copy of the sources in $CACHE/matrix/ (sync_sources: Kbuild
# rebuilds what changed; a failed build is cleaned so that the next one
# shows every warning again).  rdma_zcopy is compiled but not linked there:
# bookworm's 6.1 has no vDPA framework (its Kbuild).  MATRIX_EXCLUDE_6_1:
# drivers not ported to 6.1 (Kbuild's CDMA_EXCLUDE), each counted as
# skipped; none.
MATRIX_EXCLUDE_6_1=""
# Where the compile matrix builds the modules for headers KVER.
matrix_dir() { # matrix_dir KVER
	echo "$CACHE/matrix/$1-$(echo "$REPO" | sha256sum | cut -c1-8)"
}

mmake() { # mmake KDIR DIR EXCLUDE [KBUILD_ARGS...]: the modules in DIR
	local kdir=$1 dir=$2 exclude=$3
	shift 3
	nice -n 10 make -C "$kdir" M="$dir" -j"$(nproc)" \
		CDMA_EXCLUDE="$exclude" W=1 "$@" modules
}

matrix_build() { # matrix_build SERIES EXCLUDE...
	local series=$1 kver kdir dir d
	shift
	B_P=0 B_F=0 B_S=0 B_ENV=$series
	if ! kver=$(KSERIES=$series detect_kver 2>/dev/null); then
		echo "build@$series: FAILED: no /usr/src/linux-headers-$series.*-amd64; run make deps" >&2
		account "build@$series: 0 passed, 1 failed, 0 skipped"
		return
	fi
	kdir=/usr/src/linux-headers-$kver
	dir=$(matrix_dir "$kver")
	for d in "$CACHE"/matrix/*/; do
		d=${d%/}
		# KVER-HASH: drop the builds for headers no longer installed.
		[ ! -d "$d" ] || [ -e "/usr/src/linux-headers-$(basename "${d%-*}")" ] ||
			rm -rf "$d"
	done
	mkdir -p "$dir"
	sync_sources "$dir"
	local exclude="$*"
	if ! build_test "modules against $kver, W=1" "build-$series-w1.log" \
		'warning:|error:' mmake "$kdir" "$dir" "$exclude"; then
		make -C "$kdir" M="$dir" clean >/dev/null 2>&1 || true
	fi
	build_test "sparse (C=2) against $kver" "build-$series-sparse.log" \
		'warning:|error:' mmake "$kdir" "$dir" "$exclude" C=2
	for d in "$@"; do
		echo "build@$series: skipped: $d (not ported to $series yet)" >&2
		B_S=$((B_S + 1))
	done
	account "build@$series: $B_P passed, $B_F failed, $B_S skipped"
}
# shellcheck disable=SC2086 # a list of names
matrix_build 6.1 $MATRIX_EXCLUDE_6_1
