#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Print the arguments of the "KEYWORD ARGS..." lines of a check.conf file,
# one line each (words joined by one blank; "" for a keyword alone), in
# order, following "include FILE" lines (FILE relative to the including
# file's directory).  Used on the host (tools/testing/check.sh) and in the
# VM (guest/lib.sh).
#
#   conf-lines.sh FILE KEYWORD
set -euo pipefail

[ $# -eq 2 ] || { echo "usage: $0 FILE KEYWORD" >&2; exit 2; }
[ -r "$1" ] || { echo "$0: cannot read $1" >&2; exit 1; }
awk -v k="$2" '
function scan(file, depth,    line, w, n, i, dir, out, tmp) {
	if (depth > 8) {
		print "conf-lines.sh: include loop at " file > "/dev/stderr"
		exit 1
	}
	dir = file
	if (!sub(/\/[^\/]*$/, "", dir))
		dir = "."
	while ((getline line < file) > 0) {
		n = split(line, w)
		if (n == 0 || w[1] ~ /^#/)
			continue
		if (w[1] == "include") {
			if ((getline tmp < (dir "/" w[2])) < 0) {
				print "conf-lines.sh: " file ": cannot read " dir "/" w[2] > "/dev/stderr"
				exit 1
			}
			close(dir "/" w[2])
			scan(dir "/" w[2], depth + 1)
		} else if (w[1] == k) {
			out = ""
			for (i = 2; i <= n; i++)
				out = out (i > 2 ? " " : "") w[i]
			print out
		}
	}
	close(file)
}
BEGIN { scan(ARGV[1], 0); exit }' "$1"
