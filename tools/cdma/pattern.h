/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The test pattern of cdma-demo and cdma-bench: differs per position and
 * per seed (xorshift64, then a byte ramp for the tail).
 */
#ifndef CDMA_TOOLS_PATTERN_H
#define CDMA_TOOLS_PATTERN_H

#include <stddef.h>
#include <stdint.h>
#include <string.h>

static inline void cdma_pattern_fill(unsigned char *p, size_t n,
				     uint64_t seed)
{
	uint64_t x = seed * 0x9e3779b97f4a7c15ULL + 1;
	size_t i;

	for (i = 0; i + 8 <= n; i += 8) {
		x ^= x << 13;
		x ^= x >> 7;
		x ^= x << 17;
		memcpy(p + i, &x, 8);
	}
	for (; i < n; i++)
		p[i] = (unsigned char)(i * 31 + seed);
}

#endif /* CDMA_TOOLS_PATTERN_H */
