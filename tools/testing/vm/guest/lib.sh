# SPDX-License-Identifier: GPL-2.0
# Helpers for guest scripts (sourced inside the test VM, where REPO,
# RESULTS, KVER and ENV are set by the VM's init).
# shellcheck shell=bash

: "${REPO:?}" "${RESULTS:?}"

# Lines "KEYWORD ARGS..." of a config file, comments and blanks dropped,
# "include FILE" lines followed.
conf_lines() { # conf_lines FILE KEYWORD
	"$(dirname "${BASH_SOURCE[0]}")/../conf-lines.sh" "$1" "$2"
}

# --- Kernel modules ----------------------------------------------------------
# The module lines of check.conf:
#   install PATH...               project modules (paths relative to $KO_DIR,
#                                 default $REPO), copied into
#                                 /lib/modules/$KVER/extra/ and indexed by
#                                 depmod
#   module NAME [PARAM=VALUE...]  modprobe NAME [PARAM=VALUE...] in order,
#                                 modprobe -r NAME in reverse order after use
#   kmod NAME...                  kernel modules the suites modprobe
#                                 themselves (virtio_vdpa...): not loaded,
#                                 only kept in the module tree (modules_tree);
#                                 one the kernel lacks is left out (its
#                                 suite must skip what needs it)
# NAME is a project module or one of the kernel's (vdpa, vhost_vdpa...):
# modprobe loads the dependencies, as on any machine.

MOD_ROOT=/lib/modules/${KVER:?}
MOD_EXTRA=$MOD_ROOT/extra

# The paths of a config file's "install" lines, one a line.
install_paths() { # install_paths CONF
	conf_lines "$1" install | tr ' ' '\n' | awk 'NF && !seen[$0]++'
}

# The module name of a .ko path, as in /sys/module ("-" becomes "_").
ko_name() { # ko_name PATH
	local n=${1##*/}
	n=${n%.ko}
	echo "${n//-/_}"
}

# PACKAGE_VERSION of dkms.conf: the MODULE_VERSION() of every project module.
package_version() {
	sed -n 's/^PACKAGE_VERSION="\(.*\)"$/\1/p' "$REPO/dkms.conf"
}

# Make /lib/modules/$KVER a tree (tmpfs, bind-mounted over it) holding only
# the kernel's modules the tests can load: those of the "module" and "kmod"
# lines, the dependencies of the project modules and the modules already
# loaded, each with its dependencies (modprobe --show-depends), and
# modules.builtin*, modules.order.  A suite's modprobe of a kernel module
# not named there fails with "Module X not found": add a kmod line.  depmod reads every module of the tree: over all of
# Debian's (4000 xz-compressed modules, read over 9p and decompressed under
# TCG) it takes minutes, over this one a second or two.
modules_tree() { # modules_tree CONF
	local conf=$1 tree=/run/vm-modules/$KVER f n out
	local -a project names optional files=()
	[ ! -e "$MOD_ROOT/.vm-modules" ] || return 0 # done in this boot
	mapfile -t project < <(install_paths "$conf" |
		while read -r f; do ko_name "$f"; done)
	mapfile -t names < <({
		conf_lines "$conf" module | awk '{ print $1 }'
		conf_lines "$conf" kmod | tr ' ' '\n'
		install_paths "$conf" | while read -r f; do
			[ ! -e "${KO_DIR:-$REPO}/$f" ] ||
				modinfo -F depends "${KO_DIR:-$REPO}/$f" | tr ',' '\n'
		done
		for f in /sys/module/*/initstate; do
			[ ! -e "$f" ] || basename "${f%/initstate}"
		done
	} | tr - _ | awk 'NF && !seen[$0]++')
	mapfile -t optional < <(conf_lines "$conf" kmod | tr ' ' '\n' | tr - _)
	for n in "${names[@]}"; do
		printf '%s\n' "${project[@]}" | grep -qxF -- "$n" && continue
		if ! out=$(modprobe --show-depends "$n"); then
			# A kmod line's module may be missing from a kernel
			# (the debug kernel has none): its suite skips.
			if printf '%s\n' "${optional[@]}" | grep -qxF -- "$n"; then
				echo "modules_tree: no kernel module $n (a kmod line): the suites that need it skip"
				continue
			fi
			echo "modules_tree: no kernel module $n"
			return 1
		fi
		mapfile -t -O "${#files[@]}" files < <(awk '$1 == "insmod" { print $2 }' <<<"$out")
	done
	rm -rf "$tree"
	mkdir -p "$tree"
	for f in $(printf '%s\n' "${files[@]}" | sort -u); do
		n=${f#"$MOD_ROOT"/}
		mkdir -p "$tree/$(dirname "$n")"
		cp "$f" "$tree/$n" || return
	done
	for f in modules.order modules.builtin modules.builtin.modinfo; do
		[ ! -e "$MOD_ROOT/$f" ] || cp "$MOD_ROOT/$f" "$tree/" || return
	done
	touch "$tree/.vm-modules"
	mount --bind "$tree" "$MOD_ROOT" || return
	echo "module tree: $(find "$MOD_ROOT" -name '*.ko*' | wc -l) kernel modules: $(printf '%s\n' "${files[@]}" | sort -u | sed 's|.*/||; s|\.ko.*||' | tr '\n' ' ')"
}

# Copy a project module into /lib/modules/$KVER/extra/.
module_install() { # module_install PATH
	install -D -m 644 "${KO_DIR:-$REPO}/$1" "$MOD_EXTRA/${1##*/}"
}

# Check what modinfo shows of an installed project module: found by the
# index in extra/, description, license, version (PACKAGE_VERSION) and a
# description for every parameter.  Prints the problems.
module_info_check() { # module_info_check NAME
	local n=$1 f v line p d bad=0
	modinfo "$n" || return 1
	f=$(modinfo -F filename "$n")
	[ "$f" = "$MOD_EXTRA/$n.ko" ] ||
		{ echo "$n: modinfo finds '$f', not $MOD_EXTRA/$n.ko"; bad=1; }
	for f in description license version; do
		[ -n "$(modinfo -F "$f" "$n")" ] || { echo "$n: no $f"; bad=1; }
	done
	v=$(modinfo -F version "$n")
	[ "$v" = "$(package_version)" ] ||
		{ echo "$n: version '$v', dkms.conf has '$(package_version)'"; bad=1; }
	while IFS= read -r line; do
		p=${line%%:*} d=${line#*:}
		d=${d% (*)}
		[ -n "${d// /}" ] ||
			{ echo "$n: parameter $p has no MODULE_PARM_DESC"; bad=1; }
	done < <(modinfo -p "$n")
	return "$bad"
}

# Check that every alias of a module (its device table) resolves to it, so
# that udev's "modprobe $MODALIAS" loads it for a matching device.
module_alias_check() { # module_alias_check NAME
	local n=$1 a bad=0
	while read -r a; do
		if modprobe -R "${a//\*/0}" 2>/dev/null | grep -qxF -- "$n"; then
			echo "$n: alias $a resolves to $n"
		else
			echo "$n: alias $a does not resolve to $n"
			bad=1
		fi
	done < <(modinfo -F alias "$n")
	return "$bad"
}

# modprobe a module, check that it and its dependencies are loaded.
module_load() { # module_load NAME [PARAM=VALUE...]
	local n=${1//-/_} d
	echo "+ modprobe $*"
	modprobe "$@" && [ -e "/sys/module/$n" ] || return
	for d in $(modinfo -F depends "$n" | tr ',' ' '); do
		[ -e "/sys/module/$d" ] || { echo "$n: dependency $d not loaded"; return 1; }
		echo "$n: dependency $d loaded"
	done
}

# modprobe -r a loaded module (which also unloads the dependencies nothing
# else uses); nothing to do for a module already gone (unloaded as an
# unused dependency) or built in.
module_unload() { # module_unload NAME
	local n=${1//-/_}
	[ -e "/sys/module/$n/initstate" ] || return 0
	echo "+ modprobe -r $n"
	modprobe -r "$n" && [ ! -e "/sys/module/$n/initstate" ]
}

# Check that no project module is loaded.
modules_gone() { # modules_gone CONF
	local f n bad=0
	while read -r f; do
		n=$(ko_name "$f")
		[ ! -e "/sys/module/$n/initstate" ] ||
			{ echo "$n is still loaded"; bad=1; }
	done < <(install_paths "$1")
	return "$bad"
}

# Module set-up as modules.tap results: the module tree, one install per
# project module, depmod.  Returns 1 when the modules cannot be loaded.
modules_setup_tap() { # modules_setup_tap CONF
	local f
	tap_run "module tree of the tests in /lib/modules/$KVER" \
		modules_tree "$1" || return 1
	while read -r f; do
		tap_run "install ${f##*/} into /lib/modules/$KVER/extra" \
			module_install "$f" || return 1
	done < <(install_paths "$1")
	tap_run "depmod -a" depmod -a "$KVER"
}

# modinfo checks of every project module as modules.tap results.
modules_info_tap() { # modules_info_tap CONF
	local f n rc=0
	while read -r f; do
		n=$(ko_name "$f")
		tap_run "modinfo $n: description, license, version $(package_version), parameters described" \
			module_info_check "$n" || rc=1
		[ -z "$(modinfo -F alias "$n")" ] ||
			tap_run "modinfo $n: aliases resolve to it (autoload)" \
				module_alias_check "$n" || rc=1
	done < <(install_paths "$1")
	return "$rc"
}

# For guest scripts other than check.sh (demo, bench): install the project
# modules and load those of the "module" lines of check.conf, in order...
load_modules() {
	local conf line f
	local -a words
	conf=$(dirname "${BASH_SOURCE[0]}")/check.conf
	modules_tree "$conf" || return
	while read -r f; do
		module_install "$f" || return
	done < <(install_paths "$conf")
	depmod -a "$KVER" || return
	while read -r line; do
		read -ra words <<<"$line"
		module_load "${words[@]}" || return
	done < <(conf_lines "$conf" module)
}

# ...and unload them in reverse order.
unload_modules() {
	local n
	while read -r n; do
		module_unload "$n" || return
	done < <(conf_lines "$(dirname "${BASH_SOURCE[0]}")/check.conf" module |
		awk '{ print $1 }' | tac)
}

# TAP writer for steps run by the guest script itself (module load/unload).
TAP_FILE="" TAP_N=0
tap_begin() {
	TAP_FILE=$1 TAP_N=0
	echo "TAP version 13" >"$TAP_FILE"
}

tap_result() { # tap_result STATUS DESCRIPTION
	TAP_N=$((TAP_N + 1))
	if [ "$1" -eq 0 ]; then
		echo "ok $TAP_N $2" >>"$TAP_FILE"
	else
		echo "not ok $TAP_N $2" >>"$TAP_FILE"
	fi
	return "$1"
}

tap_end() {
	echo "1..$TAP_N" >>"$TAP_FILE"
}

# Run a step, log its output, record it as a TAP result.
tap_run() { # tap_run DESCRIPTION COMMAND...
	local desc=$1 rc=0
	shift
	echo "+ $*"
	"$@" || rc=$?
	tap_result "$rc" "$desc"
}

# run_suite NAME TIMEOUT COMMAND...: run a TAP-printing program from $REPO
# with a time limit; stdout goes to $RESULTS/NAME.tap, stderr to
# $RESULTS/NAME.stderr.  An abnormal end (timeout, signal, missing program,
# exit status other than 0, 1 = failures or 4 = skipped) is recorded as a
# "Bail out!" line, which tap-summary.sh counts as a failure.
run_suite() {
	local name=$1 secs=$2 rc=0 why
	shift 2
	local tap=$RESULTS/$name.tap
	echo "=== suite $name: $* (timeout ${secs}s)"
	(cd "$REPO" && exec timeout -k 10 "$secs" "$@") \
		>"$tap" 2>"$RESULTS/$name.stderr" || rc=$?
	case $rc in
	0 | 1 | 4) why="" ;;
	124 | 137) why="timed out after ${secs}s" ;;
	126 | 127) why="cannot run $1 (status $rc)" ;;
	*) why="exit status $rc" ;;
	esac
	[ -z "$why" ] || echo "Bail out! $name: $why" >>"$tap"
	echo "=== suite $name: status $rc${why:+ ($why)}"
	tail -n 20 "$RESULTS/$name.stderr"
	return "$rc"
}
