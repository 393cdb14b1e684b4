/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The data patterns of the cDMA tools (cdma-demo, cdma-bench) and
 * selftests (tools/testing/selftests/cdma): pattern.c, linked by each.
 *
 * A pattern is a sequence of 64-bit words, byte i being byte i % 8 of
 * word i / 8 in memory, so that any piece of it can be made or checked at
 * its own position.  The kinds keep the byte sequences each program has
 * always written: tests compare them across programs and builds.
 */
#ifndef CDMA_TOOLS_PATTERN_H
#define CDMA_TOOLS_PATTERN_H

#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

/**
 * enum cdma_pattern_kind - how the words of a pattern derive from its seed
 * @CDMA_PATTERN_XORSHIFT: cdma-demo and cdma-bench: word w is the state of
 *	xorshift64 after w + 1 steps from seed * 0x9e3779b97f4a7c15 + 1, in
 *	host byte order; but in a range [pos, pos + n) made or checked at
 *	once, byte i from (pos + n) & ~7 on is i * 31 + seed (a ramp)
 * @CDMA_PATTERN_SPLITMIX: the cDMA selftests: word w is cdma_mix64(seed +
 *	w * 0x9e3779b97f4a7c15) (output w + 1 of splitmix64), little-endian
 * @CDMA_PATTERN_KEYED: vmm_harness: word w is cdma_mix64(seed ^ (w *
 *	0xd6e8feb86659fd93)), little-endian
 */
enum cdma_pattern_kind {
	CDMA_PATTERN_XORSHIFT,
	CDMA_PATTERN_SPLITMIX,
	CDMA_PATTERN_KEYED,
};

uint64_t cdma_mix64(uint64_t x);
void cdma_pattern_fill(enum cdma_pattern_kind kind, uint64_t seed, void *buf,
		       size_t n, uint64_t pos);
ssize_t cdma_pattern_check(enum cdma_pattern_kind kind, uint64_t seed,
			   const void *buf, size_t n, uint64_t pos);

#endif /* CDMA_TOOLS_PATTERN_H */
