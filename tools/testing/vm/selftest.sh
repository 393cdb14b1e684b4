#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Tests of the VM harness itself (TAP on stdout): the accelerator probe and
# the boot watchdog of run-vm.sh against a stand-in qemu-system-x86_64 that
# plays a broken KVM (an internal error, then nothing, as QEMU does on a
# pagetable-based KVM that cannot run the kernel), a silent VM and a KVM
# that boots; and one real VM run from a path with blanks under /tmp (the
# repository reached through a symbolic link, results beside it).
#
#   selftest.sh
#
# make check summarises it as harness@host.
set -uo pipefail

# shellcheck source-path=SCRIPTDIR source=../lib/common.sh
. "$(dirname "$0")/../lib/common.sh"

VM=$REPO/tools/testing/vm
T=$(mktemp -d "/tmp/vm selftest.XXXXXX")
trap 'rm -rf "$T"' EXIT
N=0 FAILED=0

result() { # result OK DESCRIPTION
	N=$((N + 1))
	if [ "$1" -eq 0 ]; then
		echo "ok $N $2"
	else
		echo "not ok $N $2"
		FAILED=1
	fi
}

# The stand-in QEMU: FAKE_QEMU=internal-error (message, then hang),
# silent (hang), marker (print accel-probe's marker on the console and
# exit).  Each start appends a line to $T/qemu.starts.
mkdir -p "$T/bin"
cat >"$T/bin/qemu-system-x86_64" <<'EOF'
#!/bin/bash
[ "${1:-}" = --version ] && { echo "QEMU emulator version 0.0 (stand-in)"; exit 0; }
echo "$*" >>"$FAKE_DIR/qemu.starts"
con=""
for a; do
	case $a in
	file,id=con,path=*) con=${a#file,id=con,path=} ;;
	esac
done
case $FAKE_QEMU in
internal-error)
	echo "KVM internal error. Suberror: 1" >&2
	echo "emulation failure" >&2
	exec sleep 1000 ;;
silent) exec sleep 1000 ;;
marker) echo accel-probe-booted >>"$con"; exit 0 ;;
esac
EOF
chmod +x "$T/bin/qemu-system-x86_64"
: >"$T/kvm"
kernel=/boot/vmlinuz-$(detect_kver)
# The guest script, in the repository (seen by the guest wherever it is).
mkdir -p "$REPO/out"
guest=$REPO/out/.vm-selftest-guest.sh
cat >"$guest" <<'EOF'
#!/bin/bash
echo "REPO=$REPO"
cmp "$REPO/Makefile" Makefile && echo "same Makefile" >"$RESULTS/seen"
EOF
chmod +x "$guest"
trap 'rm -rf "$T" "$guest" "$REPO/out/.vm-selftest-link"' EXIT

fake() { # fake MODE COMMAND...: run COMMAND with the stand-in QEMU
	local mode=$1
	shift
	PATH="$T/bin:$PATH" FAKE_QEMU=$mode FAKE_DIR=$T KVM_DEV=$T/kvm \
		CACHE="$T/cache" "$@"
}

echo "TAP version 13"
echo "1..10"

# 1-3: the probe.
a=$(KVM_DEV=$T/none CACHE="$T/cache" "$VM/accel-probe.sh" "$kernel" 2>/dev/null)
result "$([ "$a" = tcg ]; echo $?)" "accel-probe: no usable /dev/kvm: tcg ($a)"

s=$SECONDS
a=$(fake internal-error "$VM/accel-probe.sh" "$kernel" 2>"$T/probe.err")
d=$((SECONDS - s))
result "$([ "$a" = tcg ] && [ "$d" -le 15 ] &&
	grep -q 'KVM internal error' "$T/probe.err"; echo $?)" \
	"accel-probe: a KVM internal error means tcg, found in ${d}s ($a)"
starts=$(wc -l <"$T/qemu.starts")
a=$(fake internal-error "$VM/accel-probe.sh" "$kernel" 2>/dev/null)
result "$([ "$a" = tcg ] && [ "$(wc -l <"$T/qemu.starts")" -eq "$starts" ]
	echo $?)" "accel-probe: the answer is cached (no second boot)"

rm -rf "$T/cache"
a=$(fake marker "$VM/accel-probe.sh" "$kernel" 2>/dev/null)
result "$([ "$a" = kvm ]; echo $?)" "accel-probe: a KVM that boots to the marker: kvm ($a)"

# run_fake I MODE ARG...: run-vm.sh with the stand-in QEMU in MODE and
# ARG..., results in $T/resI, stderr in $T/runI.err; its status in rc, its
# duration (seconds) in d.
run_fake() {
	local i=$1 mode=$2 s=$SECONDS
	shift 2
	rc=0
	fake "$mode" "$VM/run-vm.sh" --env selftest "$@" \
		--script "$guest" --results "$T/res$i" \
		--timeout 600 2>"$T/run$i.err" || rc=$?
	d=$((SECONDS - s))
}

# 5-7: run-vm.sh stops a VM that does not boot, within a minute.
run_fake 1 internal-error --accel kvm
result "$([ "$rc" -eq 126 ] && [ "$d" -le 60 ] &&
	grep -q 'KVM internal error' "$T/run1.err"; echo $?)" \
	"run-vm.sh: a KVM internal error stops the VM in ${d}s (status $rc)"

run_fake 2 silent --accel tcg --boot-timeout 3
result "$([ "$rc" -eq 126 ] && [ "$d" -le 30 ] &&
	grep -q 'nothing on the console' "$T/run2.err"; echo $?)" \
	"run-vm.sh: a silent VM is stopped after its boot timeout, ${d}s (status $rc)"

rc=0
"$VM/run-vm.sh" --env selftest --accel nonsense \
	--script "$guest" --results "$T/res3" \
	2>/dev/null || rc=$?
result "$([ "$rc" -eq 126 ]; echo $?)" "run-vm.sh: an unknown --accel is refused (status $rc)"

# 8-9: a real VM, the repository and the results under /tmp, with blanks.
ln -s "$REPO" "$T/the repo"
rc=0
"$T/the repo/tools/testing/vm/run-vm.sh" --env selftest --accel tcg \
	--script "$T/the repo/out/${guest##*/}" \
	--results "$T/the results" --timeout 300 2>"$T/run4.err" || rc=$?
result "$rc" "run-vm.sh: a VM boots and runs its script (status $rc)"
grep -qxF "REPO=$T/the repo" "$T/the results/guest.log" 2>/dev/null &&
	[ -s "$T/the results/seen" ]
result "$?" "the guest sees the repository at its path under /tmp, blanks and all"
# 10: the repository reached through a link on the host whose target the
# guest does not see (under /tmp): make's link to a checkout with blanks.
link=$REPO/out/.vm-selftest-link
ln -sfn "$T/the repo" "$link"
rm -rf "$T/the results"
rc=0
"$link/tools/testing/vm/run-vm.sh" --env selftest --accel tcg \
	--script "$link/out/${guest##*/}" --results "$T/the results" \
	--timeout 300 2>"$T/run5.err" || rc=$?
grep -qxF "REPO=$link" "$T/the results/guest.log" 2>/dev/null &&
	[ -s "$T/the results/seen" ]
result "$(($? | rc))" "the guest sees a repository reached through a link it cannot follow (status $rc)"
rm -f "$link"
[ "$FAILED" -eq 0 ] || cat "$T"/*.err >&2
exit "$FAILED"
