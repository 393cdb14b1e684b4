# SPDX-License-Identifier: GPL-2.0
#
# make check, part 2: the VM environments, sourced by check.sh, which calls
# one of these per CHECK_ENVS entry: vm_env stock, env_6_1, debug_env,
# nested_env.  Each boots its VM(s), runs guest/check.sh there and prints a
# summary line per suite.
# shellcheck shell=bash disable=SC2154,SC2153,SC2034 # variables of check.sh

# --- VM suites ---------------------------------------------------------------

# vm_env ENV [run-vm.sh options]: boot once, run guest/check.sh, summarise.
vm_env() {
	local env=$1 res=$OUT/$1 rc=0 conf suite line
	shift
	"$VM/run-vm.sh" --env "$env" --script "$VM/guest/check.sh" \
		--results "$res" --timeout "${CHECK_TIMEOUT:-900}" "$@" || rc=$?
	conf=$(env_conf "$env")
	for suite in modules $(env_suites "$conf"); do
		line=$("$VM/tap-summary.sh" "$suite@$env" "$res/$suite.tap") ||
			FAILED_LOGS+=("$res/$suite.tap" "$res/guest.log")
		account "$line"
	done
	line=$("$VM/klog-check.sh" "$env" "$res/console.log" "$rc") ||
		FAILED_LOGS+=("$res/console.log")
	account "$line"
}

# The guest/check*.conf of an environment.
env_conf() {
	local conf=$VM/guest/check-$1.conf
	[ -e "$conf" ] || conf=$VM/guest/check.conf
	echo "$conf"
}

# The results (NAME.tap) an environment's guest/check.sh writes besides
# modules.tap, in order.
env_suites() {
	local k
	"$VM/conf-lines.sh" "$1" suite | awk '{ print $1 }'
	for k in kunit kmemleak; do
		[ "$("$VM/conf-lines.sh" "$1" "$k" | wc -l)" -eq 0 ] || echo "$k"
	done
}

# --- debug environment: kernel, modules built against it, VM -------------
debug_env() {
	local kdir rel kodir dlog d
	B_P=0 B_F=0 B_S=0 B_ENV=debug
	dlog=$OUT/debug-kernel.log
	if ! kdir=$("$VM/build-debug-kernel.sh" 2> >(tee "$dlog" >&2)); then
		echo "build@debug: FAILED: debug kernel, $dlog" >&2
		FAILED_LOGS+=("$dlog")
		account "build@debug: 0 passed, 1 failed, 0 skipped"
		return
	fi
	rel=$(cat "$kdir/release")
	# One build directory per kernel and repository.
	kodir=$CACHE/debug-modules/$(basename "$kdir")-$(echo "$REPO" |
		sha256sum | cut -c1-8)
	mkdir -p "$kodir"
	for d in "$CACHE"/debug-modules/*/; do
		d=${d%/}
		case ${d##*/} in
		"$(basename "$kdir")"-*) ;;
		*) rm -rf "$d" ;; # built against an older debug kernel
		esac
	done
	sync_sources "$kodir"
	# -k: build what builds; what does not fails here and at insmod.
	if ! build_test "modules + KUnit against the debug kernel, W=1" \
		build-debug.log 'warning:|error:' \
		nice -n 10 make -C "$kdir/linux" M="$kodir" -j"$(nproc)" -k W=1 \
		modules; then
		# Kbuild would not show these warnings again: rebuild next time.
		make -C "$kdir/linux" M="$kodir" clean >/dev/null 2>&1 || true
	fi
	account "build@debug: $B_P passed, $B_F failed, $B_S skipped"
	# KASAN and lockdep make this VM several times slower than stock.
	# init_on_alloc=0: the page allocator then leaves pages as they were,
	# so the guest driver takes VIRTIO_RDMA_REMOTE_F_ALLOC_ZEROED and the
	# zeroing tests of cdma-guest check the device's clearing; stock keeps
	# Debian's default (init_on_alloc=1), where the driver declines it.
	vm_env debug --timeout "${CHECK_DEBUG_TIMEOUT:-1800}" \
		--kernel "$kdir/bzImage" \
		--moddir "$kdir/modroot/lib/modules/$rel" \
		--setenv "KO_DIR=$kodir" \
		--append "log_buf_len=4M init_on_alloc=0"
}

# --- nested environment: a QEMU guest (L2) inside the test VM (L1) --------
# L1 runs guest/check-nested.conf: its suite cdma-guest boots L2 with a
# vDPA device of rdma_zcopy (vm/nested/run-l2.sh) and prints the TAP of
# the cDMA suite run in L2.  L2's module loads and kernel log (in
# $OUT/nested/l2/) are summarised here as modules@nested-l2 and
# kernel@nested-l2, run-l2.sh's zero-copy checks as zcopy@nested.  CACHE: L1 finds the host's cached initramfs.  The
# device ID: QEMU's vhost-vdpa-device-pci aborts on IDs its virtio-pci does
# not know (rdma_zcopy's default, 63, among them); run-l2.sh gives L2's
# driver the ID rdma_zcopy offers.
#
# nested-viommu (not in the default list: CHECK_ENVS=nested-viommu) is the
# same with a virtual IOMMU in L2 (run-l2.sh --viommu): the guest's driver
# gives the device IOVAs, which QEMU translates into IOTLB updates.
#
# L2 is a distribution guest: its /lib/modules/$KVER is Debian's whole
# module tree plus this package as `make install` installs it (into
# $CACHE/distro/, made here, where depmod takes seconds), and it loads
# its drivers with systemd-udevd by modalias (distro@ENV).
distro_tree() { # distro_tree DIR: prints the module tree's path
	local d=$1 m=$1/lib/modules/$KVER
	rm -rf "$d" && mkdir -p "$d/lib/modules" || return
	# Hard links: the copy is free; depmod replaces its indexes by rename.
	cp -al "/lib/modules/$KVER" "$d/lib/modules/" &&
		rm -f "$m"/modules.* || return
	cp "/lib/modules/$KVER"/modules.{order,builtin,builtin.modinfo} "$m/" &&
		make install DESTDIR="$d" KVER="$KVER" KDIR="$KDIR" W=1 \
			>"$OUT/distro-install.log" 2>&1 &&
		depmod -b "$d" "$KVER" || return
	echo "$m"
}

nested_env() { # nested_env [ENV]
	local env=${1:-nested} l2 line st tree
	local -a accel=()
	l2=$OUT/$env/l2
	if ! tree=$(distro_tree "$CACHE/distro/$env"); then
		echo "distro@$env: FAILED: make install of the guest's tree (distro-install.log)" >&2
		account "distro@$env: 0 passed, 1 failed, 0 skipped"
		FAILED_LOGS+=("$OUT/distro-install.log")
		return
	fi
	# L1 chooses its accelerator as every VM does (run-vm.sh), and so
	# does L2 in L1 (its own probe), unless ACCEL names one that L1 can
	# give L2 too.
	case ${ACCEL:-auto} in
	tcg | icount) accel=(--setenv "ACCEL=$ACCEL") ;;
	esac
	vm_env "$env" --setenv "CACHE=$CACHE" "${accel[@]}" \
		--setenv "L2_MODDIR=$tree" --setenv "L2_ETC=$CACHE/distro/$env/etc" \
		--append rdma_zcopy.device_id=20
	line=$("$VM/tap-summary.sh" "distro@$env" "$l2/distro.tap") ||
		FAILED_LOGS+=("$l2/distro.tap" "$l2/guest.log")
	account "$line"
	line=$("$VM/tap-summary.sh" "zcopy@$env" "$l2/zcopy.tap") ||
		FAILED_LOGS+=("$l2/zcopy.tap" "$OUT/$env/guest.log")
	account "$line"
	line=$("$VM/tap-summary.sh" "modules@$env-l2" "$l2/modules.tap") ||
		FAILED_LOGS+=("$l2/modules.tap" "$l2/guest.log")
	account "$line"
	# run-l2.sh writes run-vm.sh's status; none: L2 did not end normally.
	st=$(cat "$l2/run-vm.status" 2>/dev/null) || st=125
	line=$("$VM/klog-check.sh" "$env-l2" "$l2/console.log" "$st") ||
		FAILED_LOGS+=("$l2/console.log")
	account "$line"
}

# --- 6.1 environment: Debian 12's own kernel series -------------------------
# The modules build@6.1 built, on Debian's 6.1 kernel (fetch-kernel.sh:
# downloaded, not installed): install, depmod, modprobe, the native suite.
# Debian's 6.1 has no vDPA, so no rdma_zcopy and no guest device there
# (Documentation/admin-guide.rst, "Supported kernels"); virtio_rdma_remote
# loads and unloads.
env_6_1() {
	local kver root
	if ! kver=$(KSERIES=6.1 detect_kver 2>/dev/null) ||
		! root=$("$VM/fetch-kernel.sh" "$kver"); then
		echo "modules@6.1: FAILED: no 6.1 headers or kernel image" >&2
		account "modules@6.1: 0 passed, 1 failed, 0 skipped"
		return
	fi
	vm_env 6.1 --kernel "$root/boot/vmlinuz-$kver" \
		--moddir "$root/lib/modules/$kver" \
		--setenv "KO_DIR=$(matrix_dir "$kver")"
}
