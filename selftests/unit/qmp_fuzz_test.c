// SPDX-License-Identifier: GPL-2.0
/*
 * qmp_fuzz_test: the QMP fuzzer's inputs replayed under ASan and UBSan,
 * one test per file: its seed corpus (selftests/fuzz/corpus) and every
 * input that once crashed khyp-qmpd (selftests/fuzz/regressions, named
 * after what it found).  Each in a child, so one crash fails one test.
 */
#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>
#include "kselftest.h"
#include "qmp_fuzz.h"

#define MAX_FILES	512

static int replay(const char *path)
{
	static uint8_t buf[1 << 20];
	FILE *f = fopen(path, "rb");
	size_t n;
	int status;
	pid_t pid;

	if (!f)
		return -1;
	n = fread(buf, 1, sizeof(buf), f);
	fclose(f);
	pid = fork();
	if (!pid) {
		/* the daemon's stderr notes are not TAP */
		freopen("/dev/null", "w", stderr);
		exit(qmp_fuzz_one(buf, n));
	}
	if (pid < 0 || waitpid(pid, &status, 0) != pid)
		return -1;
	return WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
}

static int by_name(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

int main(int argc, char **argv)
{
	static const char *const dirs[] = { "corpus", "regressions" };
	char *files[MAX_FILES], path[512], base[256];
	int n = 0, i, rc;
	unsigned int d;
	struct dirent *e;
	DIR *dir;

	/* next to this binary: ../fuzz */
	snprintf(base, sizeof(base), "%s", argv[0]);
	*(strrchr(base, '/') ?: base) = '\0';
	for (d = 0; d < ARRAY_SIZE(dirs); d++) {
		snprintf(path, sizeof(path), "%s%s../fuzz/%s", base,
			 *base ? "/" : "", dirs[d]);
		dir = opendir(path);
		while (dir && (e = readdir(dir)) && n < MAX_FILES)
			if (e->d_name[0] != '.' &&
			    asprintf(&files[n], "%s/%s", path, e->d_name) > 0)
				n++;
		if (dir)
			closedir(dir);
	}
	qsort(files, n, sizeof(files[0]), by_name);
	ksft_print_header();
	ksft_set_plan(n);
	for (i = 0; i < n; i++) {
		rc = replay(files[i]);
		ksft_test_result(rc == 0, "%s\n", strstr(files[i], "fuzz/"));
		if (rc)
			ksft_print_msg("exit %d\n", rc);
	}
	ksft_finished();
}
