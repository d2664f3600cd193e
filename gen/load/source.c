/* source.c - materializing `git:REV[:PATH]` schema sources. Commands run
 * through posix_spawnp with argument vectors, never through a shell, so a
 * revision name cannot inject anything. */
#include "load/source.h"

#include <limits.h>
#include <spawn.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

extern char **environ;

/* Run argv; with `out`, capture the first line of its standard output. */
static int run(char *const argv[], char *out, size_t out_size)
{
    int fds[2] = {-1, -1};
    posix_spawn_file_actions_t fa;
    posix_spawn_file_actions_init(&fa);
    if (out) {
        if (pipe(fds))
            return -1;
        posix_spawn_file_actions_adddup2(&fa, fds[1], 1);
        posix_spawn_file_actions_addclose(&fa, fds[0]);
    }
    pid_t pid;
    int rc = posix_spawnp(&pid, argv[0], &fa, NULL, argv, environ);
    posix_spawn_file_actions_destroy(&fa);
    if (out) {
        close(fds[1]);
        size_t n = 0;
        ssize_t got;
        while (n + 1 < out_size && (got = read(fds[0], out + n, out_size - n - 1)) > 0)
            n += (size_t)got;
        out[n] = '\0';
        out[strcspn(out, "\n")] = '\0';
        close(fds[0]);
    }
    if (rc)
        return -1;
    int status;
    if (waitpid(pid, &status, 0) < 0)
        return -1;
    return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
}

int source_open(const char *spec, const char *path_hint, HqSource *out)
{
    out->dir = NULL;
    out->tmp = NULL;
    if (strncmp(spec, "git:", 4)) {
        out->dir = strdup(spec);
        return 0;
    }
    char rev[256], rel[PATH_MAX], top[PATH_MAX];
    const char *colon = strchr(spec + 4, ':');
    size_t rev_len = colon ? (size_t)(colon - spec - 4) : strlen(spec + 4);
    if (!rev_len || rev_len >= sizeof rev) {
        fprintf(stderr, "hqc: error: bad revision in \"%s\" (expected git:REV or git:REV:PATH)\n", spec);
        return 2;
    }
    memcpy(rev, spec + 4, rev_len);
    rev[rev_len] = '\0';
    char *const toplevel[] = {"git", "rev-parse", "--show-toplevel", NULL};
    if (run(toplevel, top, sizeof top) != 0 || !*top) {
        fprintf(stderr, "hqc: error: %s: not inside a git repository\n", spec);
        return 2;
    }
    /* PATH relative to the repository top: given, or that of the hint. */
    if (colon) {
        snprintf(rel, sizeof rel, "%s", colon + 1);
    } else {
        char abs[PATH_MAX];
        if (!path_hint || !realpath(path_hint, abs) || strncmp(abs, top, strlen(top))) {
            fprintf(stderr, "hqc: error: %s: name the schema path as git:REV:PATH\n", spec);
            return 2;
        }
        snprintf(rel, sizeof rel, "%s", abs[strlen(top)] ? abs + strlen(top) + 1 : ".");
    }
    char tmpl[] = "/tmp/hqc-git.XXXXXX";
    if (!mkdtemp(tmpl)) {
        perror("hqc: mkdtemp");
        return 2;
    }
    out->tmp = strdup(tmpl);
    char tar[PATH_MAX + 16];
    snprintf(tar, sizeof tar, "%s/schema.tar", tmpl);
    char *const archive[] = {"git", "-C", top, "archive", "--format=tar", "-o", tar, rev, "--", rel, NULL};
    char *const untar[] = {"tar", "-xf", tar, "-C", tmpl, NULL};
    if (run(archive, NULL, 0) != 0) {
        fprintf(stderr, "hqc: error: %s: git archive of %s at %s failed\n", spec, rel, rev);
        source_close(out);
        return 2;
    }
    if (run(untar, NULL, 0) != 0) {
        fprintf(stderr, "hqc: error: %s: cannot unpack the archive\n", spec);
        source_close(out);
        return 2;
    }
    size_t len = strlen(tmpl) + strlen(rel) + 2;
    out->dir = malloc(len);
    snprintf(out->dir, len, "%s/%s", tmpl, rel);
    return 0;
}

void source_close(HqSource *s)
{
    if (s->tmp) {
        char *const rm[] = {"rm", "-rf", s->tmp, NULL};
        run(rm, NULL, 0);
    }
    free(s->tmp);
    free(s->dir);
    s->tmp = s->dir = NULL;
}
