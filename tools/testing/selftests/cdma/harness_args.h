/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Command lines of the cDMA selftest programs: the program's own options
 * (each with an argument) are taken out, everything else goes to the
 * kselftest harness (test_harness_run()).
 *
 * Everything here is static: each program includes it in the file that
 * runs the harness, after kselftest_harness.h.
 */
#ifndef CDMA_HARNESS_ARGS_H
#define CDMA_HARNESS_ARGS_H

#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

/**
 * struct cd_opt - an option of the program
 * @name: "-x"; also accepted as "-xVALUE"
 * @alias: "--long" (also "--long=VALUE"), or NULL
 * @value: receives the argument
 * @env: environment variable whose value (when not empty) is the default,
 *	 or NULL
 * @required: the option must be given
 */
struct cd_opt {
	const char *name;
	const char *alias;
	const char **value;
	const char *env;
	bool required;
};

/* cd_opt_match()'s answer when the value is the next argument. */
static const char cd_opt_next[] = "";

/* The value of @a for @o, cd_opt_next, or NULL when @a is not @o. */
static const char *cd_opt_match(const struct cd_opt *o, const char *a)
{
	size_t n = o->alias ? strlen(o->alias) : 0;

	if (!strcmp(a, o->name) || (o->alias && !strcmp(a, o->alias)))
		return cd_opt_next;
	if (o->alias && !strncmp(a, o->alias, n) && a[n] == '=')
		return a + n + 1;
	if (!strncmp(a, o->name, 2) && a[2])
		return a + 2;
	return NULL;
}

/**
 * cd_harness_args() - split a command line between program and harness
 * @argc: main()'s
 * @argv: main()'s
 * @opts: the program's options
 * @nopts: number of @opts
 * @usage: prints the program's usage (for -h, and a missing argument)
 * @acp: receives the count of the harness's arguments
 *
 * The arguments of the harness's own options (-f, -F, -v, -V, -t, -T,
 * -r) are passed on untouched even when they look like ours; -h prints
 * @usage and goes on to the harness, which lists its own options.
 *
 * Return: the harness's argv, NULL-terminated; NULL when an option lacks
 * its argument or a required option is missing (@usage printed), or
 * memory is short.
 */
static char **cd_harness_args(int argc, char **argv, const struct cd_opt *opts,
			      unsigned int nopts, void (*usage)(const char *),
			      int *acp)
{
	char **av = calloc((size_t)argc + 1, sizeof(*av));
	int ac = 0, i;

	if (!av)
		return NULL;
	for (i = 0; i < (int)nopts; i++) {
		const char *e = opts[i].env ? getenv(opts[i].env) : NULL;

		if (e && *e)
			*opts[i].value = e;
	}
	av[ac++] = argv[0];
	for (i = 1; i < argc; i++) {
		const char *a = argv[i], *v = NULL;
		unsigned int k;

		if (a[0] == '-' && a[1] && strchr("FfVvTtr", a[1]) && !a[2] &&
		    i + 1 < argc) {
			av[ac++] = argv[i++];
			av[ac++] = argv[i];
			continue;
		}
		for (k = 0; k < nopts && !v; k++)
			v = cd_opt_match(&opts[k], a);
		if (!v) {
			if (!strcmp(a, "-h"))
				usage(argv[0]);
			av[ac++] = argv[i];
			continue;
		}
		if (v == cd_opt_next) {
			if (i + 1 >= argc) {
				usage(argv[0]);
				free(av);
				return NULL;
			}
			v = argv[++i];
		}
		*opts[k - 1].value = v;
	}
	for (i = 0; i < (int)nopts; i++) {
		if (opts[i].required && !*opts[i].value) {
			usage(argv[0]);
			free(av);
			return NULL;
		}
	}
	av[ac] = NULL;
	*acp = ac;
	return av;
}

/* $CDMA_SEED, else a seed of this run: from the pid and @now. */
static uint64_t cd_env_seed(uint64_t now)
{
	const char *seed = getenv("CDMA_SEED");

	if (seed && *seed)
		return strtoull(seed, NULL, 0);
	return ((uint64_t)getpid() << 32) ^ now;
}

/**
 * cd_harness_main() - main() of a program that runs the harness
 * @argc: main()'s
 * @argv: main()'s
 * @opts: the program's options (cd_harness_args())
 * @nopts: number of @opts
 * @usage: prints the program's usage
 * @print_run: prints how to reproduce the run, after the TAP output (TAP
 *	       wants its version line first); or NULL
 *
 * Return: main()'s exit status.
 */
static int cd_harness_main(int argc, char **argv, const struct cd_opt *opts,
			   unsigned int nopts, void (*usage)(const char *),
			   void (*print_run)(void))
{
	char **av;
	int ac;

	av = cd_harness_args(argc, argv, opts, nopts, usage, &ac);
	if (!av)
		return KSFT_FAIL;
	if (print_run)
		atexit(print_run);
	return test_harness_run(ac, av);
}

#endif /* CDMA_HARNESS_ARGS_H */
