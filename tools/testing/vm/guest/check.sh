#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Guest side of `make check` (run by run-vm.sh inside the test VM).
# Loads the modules and runs the suites listed in check-$ENV.conf (or
# check.conf), writing $RESULTS/modules.tap (module set-up: install into
# /lib/modules/$KVER/extra, depmod, modinfo checks; one result per modprobe
# and per modprobe -r) and $RESULTS/SUITE.tap for each suite; with "kunit"
# lines, $RESULTS/kunit.tap (one result per KUnit test case); with a "kmemleak"
# line, $RESULTS/kmemleak.tap.  Exits 1 if anything failed.
#
# Module paths are relative to $KO_DIR (default $REPO): the debug
# environment loads modules built elsewhere against its kernel.
set -uo pipefail

# shellcheck source-path=SCRIPTDIR source=lib.sh
. "$(dirname "$0")/lib.sh"

conf=$(dirname "$0")/check-$ENV.conf
[ -e "$conf" ] || conf=$(dirname "$0")/check.conf
KO_DIR=${KO_DIR:-$REPO}
KMEMLEAK=/sys/kernel/debug/kmemleak

mapfile -t modules < <(conf_lines "$conf" module)
mapfile -t suites < <(conf_lines "$conf" suite)
mapfile -t kunits < <(conf_lines "$conf" kunit)
kmemleak=$(conf_lines "$conf" kmemleak | wc -l)
rc=0
mods_ok=1
loaded=()

# Forget the leaks the kernel had before the tests (boot); report only
# those of the run.
if [ "$kmemleak" -gt 0 ] && [ -w "$KMEMLEAK" ]; then
	echo scan >"$KMEMLEAK"
	echo clear >"$KMEMLEAK"
fi

tap_begin "$RESULTS/modules.tap"
modules_setup_tap "$conf" || rc=1 mods_ok=0
[ "$mods_ok" -eq 0 ] || modules_info_tap "$conf" || rc=1
for line in "${modules[@]}"; do
	[ "$mods_ok" -eq 1 ] || break
	read -ra words <<<"$line"
	if tap_run "modprobe ${words[*]}" module_load "${words[@]}"; then
		loaded+=("${words[0]}")
	else
		rc=1 mods_ok=0
	fi
done

# KUnit modules run their suites at load (KTAP in the kernel log, between
# two markers), then are unloaded.  One flat TAP file for all of them.
run_kunit() {
	local line words ko mod st tap=$RESULTS/kunit.tap raw=$RESULTS/kunit.results
	: >"$raw"
	for line in "${kunits[@]}"; do
		read -ra words <<<"$line"
		ko=${words[0]}
		mod=$(basename "$ko" .ko)
		st=0
		if [ "$mods_ok" -eq 0 ]; then
			echo "not ok insmod $mod # modules failed to load" >>"$raw"
			continue
		fi
		echo "=== kunit $ko: ${words[*]:1} (uptime $(cut -d ' ' -f 1 /proc/uptime)s)"
		echo "cdma-kunit: begin $mod" >/dev/kmsg
		timeout -k 10 600 insmod "$KO_DIR/$ko" || st=$?
		echo "cdma-kunit: end $mod" >/dev/kmsg
		dmesg | sed -n "/cdma-kunit: begin $mod\$/,/cdma-kunit: end $mod\$/p" \
			>"$RESULTS/kunit-$mod.ktap"
		"$(dirname "$0")/../kunit-tap.sh" "$mod" "$st" \
			"$RESULTS/kunit-$mod.ktap" "${words[@]:1}" >>"$raw"
		# The unload is a result of modules.tap.
		[ "$st" -ne 0 ] || tap_run "rmmod $mod" rmmod "$mod" || rc=1
	done
	awk 'BEGIN { print "TAP version 13" }
	{ sub(/^(not )?ok/, "& " NR); print } END { print "1.." NR }' \
		"$raw" >"$tap"
	grep '^not ok' "$tap" && return 1
	return 0
}

if [ ${#kunits[@]} -gt 0 ]; then
	run_kunit || rc=1
fi

for line in "${suites[@]}"; do
	read -ra words <<<"$line"
	name=${words[0]}
	if [ "$mods_ok" -eq 0 ]; then
		echo "Bail out! $name: not run, modules failed to load" \
			>"$RESULTS/$name.tap"
		continue
	fi
	run_suite "$name" "${words[1]}" "${words[@]:2}" || rc=1
done

for ((i = ${#loaded[@]} - 1; i >= 0; i--)); do
	tap_run "modprobe -r ${loaded[i]}" module_unload "${loaded[i]}" || rc=1
done
[ "${#loaded[@]}" -eq 0 ] ||
	tap_run "no project module left loaded" modules_gone "$conf" || rc=1
tap_end

# Leaks: scan twice (an object is reported once it is a few seconds old and
# was not found referenced by two scans), after every module is gone.
if [ "$kmemleak" -gt 0 ]; then
	tap_begin "$RESULTS/kmemleak.tap"
	if [ ! -w "$KMEMLEAK" ]; then
		tap_result 1 "kmemleak: no $KMEMLEAK" || rc=1
	else
		echo "=== kmemleak scan (uptime $(cut -d ' ' -f 1 /proc/uptime)s)"
		st=0
		echo scan >"$KMEMLEAK" || st=1
		sleep 6
		echo scan >"$KMEMLEAK" || st=1
		cat "$KMEMLEAK" >"$RESULTS/kmemleak.log"
		n=$(grep -c '^unreferenced object' "$RESULTS/kmemleak.log")
		echo "=== kmemleak: $n leaks (uptime $(cut -d ' ' -f 1 /proc/uptime)s)"
		if [ "$st" -ne 0 ]; then
			tap_result 1 "kmemleak: scan failed (kmemleak disabled?)" ||
				rc=1
		elif [ "$n" -eq 0 ]; then
			tap_result 0 "kmemleak: no leak"
		else
			head -n 80 "$RESULTS/kmemleak.log"
			tap_result 1 "kmemleak: $n unreferenced objects (kmemleak.log)" ||
				rc=1
		fi
	fi
	tap_end
fi

dmesg >"$RESULTS/dmesg.log"
exit "$rc"
