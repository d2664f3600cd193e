/* split.c - statements and transaction groups of one unit, cut by
 * libpg_query's parser-based splitter (dollar quotes, nested comments and
 * CREATE RULE bodies are handled as the server does). */
#include "live/split.h"

#include <pg_query.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

/* Skips blanks and comments ("--" lines, nested block comments) from i. */
static size_t skip_space(const char *s, size_t i, size_t end)
{
    while (i < end) {
        char c = s[i];
        if (c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f' || c == '\v') {
            i++;
        } else if (c == '-' && i + 1 < end && s[i + 1] == '-') {
            while (i < end && s[i] != '\n')
                i++;
        } else if (c == '/' && i + 1 < end && s[i + 1] == '*') {
            int depth = 0;
            do {
                if (s[i] == '/' && i + 1 < end && s[i + 1] == '*')
                    depth++, i += 2;
                else if (s[i] == '*' && i + 1 < end && s[i + 1] == '/')
                    depth--, i += 2;
                else
                    i++;
            } while (depth > 0 && i < end);
        } else {
            break;
        }
    }
    return i;
}

/* Case-insensitive: does the keyword `kw` start at s[i] (followed by a non-letter)? */
static bool keyword_at(const char *s, size_t i, size_t end, const char *kw)
{
    size_t n = strlen(kw);
    if (i + n > end)
        return false;
    for (size_t k = 0; k < n; k++) {
        char c = s[i + k];
        if (c >= 'a' && c <= 'z')
            c = (char)(c - 'a' + 'A');
        if (c != kw[k])
            return false;
    }
    char next = i + n < end ? s[i + n] : ' ';
    return !((next >= 'a' && next <= 'z') || (next >= 'A' && next <= 'Z') || next == '_' || (next >= '0' && next <= '9'));
}

typedef enum { TX_NONE, TX_OPEN, TX_CLOSE } TxKind;

static TxKind tx_kind(const char *s, const LiveStmt *st)
{
    size_t i = st->start, end = st->end;
    if (keyword_at(s, i, end, "BEGIN") || (keyword_at(s, i, end, "START") &&
                                          keyword_at(s, skip_space(s, i + 5, end), end, "TRANSACTION")))
        return TX_OPEN;
    if (keyword_at(s, i, end, "COMMIT") || keyword_at(s, i, end, "END") || keyword_at(s, i, end, "ABORT"))
        return TX_CLOSE;
    if (keyword_at(s, i, end, "ROLLBACK")) {
        size_t j = skip_space(s, i + 8, end);
        /* ROLLBACK TO SAVEPOINT stays inside the transaction. */
        return keyword_at(s, j, end, "TO") ? TX_NONE : TX_CLOSE;
    }
    return TX_NONE;
}

int live_split(const char *sql, LiveSplit *out, char **err)
{
    memset(out, 0, sizeof *out);
    (void)err;
    PgQuerySplitResult r = pg_query_split_with_parser(sql);
    if (r.error) {
        /* The parser rejects the unit: send it whole. The server parses a
         * message before running any of it, so nothing runs and its error
         * position says where the problem is. (libpg_query's scanner-based
         * splitter is no fallback: it drops statements it cannot classify.) */
        pg_query_free_split_result(r);
        out->stmts = calloc(2, sizeof *out->stmts);
        out->groups = calloc(2, sizeof *out->groups);
        if (!out->stmts || !out->groups)
            abort();
        size_t len = strlen(sql), start = skip_space(sql, 0, len);
        unsigned line = 1;
        for (size_t i = 0; i < start; i++)
            line += sql[i] == '\n';
        if (start < len) {
            out->stmts[out->n_stmts++] = (LiveStmt){start, len, line};
            out->groups[out->n_groups++] = (LiveGroup){0, 1, false};
        }
        return 0;
    }
    out->stmts = calloc((size_t)r.n_stmts + 1, sizeof *out->stmts);
    out->groups = calloc((size_t)r.n_stmts + 1, sizeof *out->groups);
    if (!out->stmts || !out->groups)
        abort();
    size_t len = strlen(sql), pos = 0;
    unsigned line = 1;
    for (int i = 0; i < r.n_stmts; i++) {
        size_t loc = (size_t)r.stmts[i]->stmt_location, end = loc + (size_t)r.stmts[i]->stmt_len;
        if (end > len)
            end = len;
        size_t start = skip_space(sql, loc, end);
        if (start >= end)
            continue;       /* only comments */
        for (; pos < start; pos++)
            line += sql[pos] == '\n';
        out->stmts[out->n_stmts++] = (LiveStmt){start, end, line};
    }
    pg_query_free_split_result(r);

    bool in_tx = false;
    for (size_t i = 0; i < out->n_stmts; i++) {
        TxKind k = tx_kind(sql, &out->stmts[i]);
        if (in_tx) {
            out->groups[out->n_groups - 1].n++;
            in_tx = k != TX_CLOSE;
        } else {
            out->groups[out->n_groups++] = (LiveGroup){i, 1, k == TX_OPEN};
            in_tx = k == TX_OPEN;
        }
    }
    return 0;
}

bool live_split_tx_control(const char *sql, const LiveStmt *st)
{
    return tx_kind(sql, st) != TX_NONE;
}

void live_split_free(LiveSplit *s)
{
    free(s->stmts);
    free(s->groups);
    memset(s, 0, sizeof *s);
}

size_t live_split_group_text(const LiveSplit *s, size_t g, size_t *start)
{
    const LiveGroup *grp = &s->groups[g];
    *start = s->stmts[grp->first].start;
    return s->stmts[grp->first + grp->n - 1].end - *start;
}

size_t live_split_locate(const LiveSplit *s, const char *sql, size_t g, int pos, unsigned *line)
{
    size_t start, len = live_split_group_text(s, g, &start);
    if (pos < 1)
        return SIZE_MAX;
    /* PostgreSQL counts characters; the text is UTF-8. */
    size_t off = start, chars = 1;
    while (off < start + len && chars < (size_t)pos) {
        off++;
        if (((unsigned char)sql[off] & 0xC0) != 0x80)
            chars++;
    }
    const LiveGroup *grp = &s->groups[g];
    size_t found = SIZE_MAX;
    for (size_t i = grp->first; i < grp->first + grp->n; i++)
        if (s->stmts[i].start <= off)
            found = i;
    if (found != SIZE_MAX) {
        unsigned l = s->stmts[found].line;
        for (size_t p = s->stmts[found].start; p < off; p++)
            l += sql[p] == '\n';
        *line = l;
    }
    return found;
}
