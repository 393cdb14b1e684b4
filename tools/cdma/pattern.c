// SPDX-License-Identifier: GPL-2.0
/*
 * The data patterns of the cDMA tools and selftests (pattern.h).
 */
#include <endian.h>
#include <string.h>

#include "pattern.h"

#define GOLDEN		0x9e3779b97f4a7c15ULL
#define KEYED_STEP	0xd6e8feb86659fd93ULL

/**
 * cdma_mix64() - the output function of splitmix64
 * @x: its state before the step
 *
 * Return: the number splitmix64 gives for @x; its next state is x + GOLDEN.
 */
uint64_t cdma_mix64(uint64_t x)
{
	x += GOLDEN;
	x = (x ^ (x >> 30)) * 0xbf58476d1ce4e5b9ULL;
	x = (x ^ (x >> 27)) * 0x94d049bb133111ebULL;
	return x ^ (x >> 31);
}

static uint64_t xorshift64(uint64_t x)
{
	x ^= x << 13;
	x ^= x >> 7;
	x ^= x << 17;
	return x;
}

/* A walk along the bytes [pos, end) of a pattern. */
struct pat_walk {
	enum cdma_pattern_kind kind;
	uint64_t seed;
	uint64_t pos;
	uint64_t end;
	uint64_t words_end;	/* where the ramp of XORSHIFT begins */
	uint64_t x;		/* XORSHIFT: the state before word pos / 8 */
};

static void pat_start(struct pat_walk *g, enum cdma_pattern_kind kind,
		      uint64_t seed, size_t n, uint64_t pos)
{
	uint64_t w;

	g->kind = kind;
	g->seed = seed;
	g->pos = pos;
	g->end = pos + n;
	g->words_end = g->end;
	g->x = seed * GOLDEN + 1;
	if (kind != CDMA_PATTERN_XORSHIFT)
		return;
	g->words_end &= ~7ULL;
	for (w = 0; w < pos / 8; w++)
		g->x = xorshift64(g->x);
}

/* A word of a pattern as it is in memory. */
union pat_word {
	uint64_t v;
	uint8_t b[8];
};

/*
 * The word holding the next byte of the walk, and its bytes the walk
 * takes: from *@off, how many (0 at the end of the walk).
 */
static size_t pat_next(struct pat_walk *g, union pat_word *w, size_t *off)
{
	uint64_t i = g->pos / 8, m;

	*off = g->pos % 8;
	if (g->pos >= g->end)
		return 0;
	if (g->pos >= g->words_end) {
		w->b[*off] = (uint8_t)(g->pos * 31 + g->seed);
		g->pos++;
		return 1;
	}
	switch (g->kind) {
	case CDMA_PATTERN_XORSHIFT:
		g->x = xorshift64(g->x);
		w->v = g->x;
		break;
	case CDMA_PATTERN_KEYED:
		w->v = htole64(cdma_mix64(g->seed ^ (i * KEYED_STEP)));
		break;
	default:
		w->v = htole64(cdma_mix64(g->seed + i * GOLDEN));
		break;
	}
	m = g->words_end - g->pos;
	if (m > 8 - *off)
		m = 8 - *off;
	g->pos += m;
	return m;
}

/**
 * cdma_pattern_fill() - write a piece of a pattern
 * @kind: the pattern's kind
 * @seed: its seed
 * @buf: where to write
 * @n: bytes to write
 * @pos: position in the pattern of @buf[0]
 */
void cdma_pattern_fill(enum cdma_pattern_kind kind, uint64_t seed, void *buf,
		       size_t n, uint64_t pos)
{
	struct pat_walk g;
	union pat_word w;
	uint8_t *b = buf;
	size_t m, off;

	pat_start(&g, kind, seed, n, pos);
	while ((m = pat_next(&g, &w, &off))) {
		if (m == 8)	/* a constant size: one store */
			memcpy(b, &w.v, 8);
		else
			memcpy(b, w.b + off, m);
		b += m;
	}
}

/**
 * cdma_pattern_check() - compare memory with a piece of a pattern
 * @kind: the pattern's kind
 * @seed: its seed
 * @buf: the memory
 * @n: bytes to compare
 * @pos: position in the pattern of @buf[0]
 *
 * Return: the index of the first byte of @buf that differs, or -1.
 */
ssize_t cdma_pattern_check(enum cdma_pattern_kind kind, uint64_t seed,
			   const void *buf, size_t n, uint64_t pos)
{
	const uint8_t *b = buf;
	struct pat_walk g;
	union pat_word w;
	size_t k = 0, m, off, i;

	pat_start(&g, kind, seed, n, pos);
	while ((m = pat_next(&g, &w, &off))) {
		if (m < 8 || memcmp(b + k, &w.v, 8))
			for (i = 0; i < m; i++)
				if (b[k + i] != w.b[off + i])
					return (ssize_t)(k + i);
		k += m;
	}
	return -1;
}
