/* hq_error.c - the HqError object: filled from server results (PQresultErrorField), from libpq
 * connection messages, or by client-side checks. Nothing here prints; callers format the error
 * with hq_error_format() and decide where it goes.
 */
#include "hq_int.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>

static const char *const status_names[] = {
    [HQ_OK] = "HQ_OK",
    [HQ_ERR_NOMEM] = "HQ_ERR_NOMEM",
    [HQ_ERR_INVALID] = "HQ_ERR_INVALID",
    [HQ_ERR_CONNECT] = "HQ_ERR_CONNECT",
    [HQ_ERR_SERVER] = "HQ_ERR_SERVER",
    [HQ_ERR_DECODE] = "HQ_ERR_DECODE",
    [HQ_ERR_ENCODE] = "HQ_ERR_ENCODE",
    [HQ_ERR_RANGE] = "HQ_ERR_RANGE",
    [HQ_ERR_NOT_FOUND] = "HQ_ERR_NOT_FOUND",
    [HQ_ERR_STATE] = "HQ_ERR_STATE",
    [HQ_ERR_ABORTED] = "HQ_ERR_ABORTED",
    [HQ_ERR_CALLBACK] = "HQ_ERR_CALLBACK",
    [HQ_ERR_MISMATCH] = "HQ_ERR_MISMATCH",
};

const char *hq_status_name(HqStatus s)
{
    if ((size_t)s < sizeof status_names / sizeof status_names[0] && status_names[s] != NULL)
        return status_names[s];
    return "HQ_ERR_UNKNOWN";
}

void hq_copy_str(char *dst, size_t size, const char *src)
{
    if (size == 0)
        return;
    if (src == NULL) {
        dst[0] = '\0';
        return;
    }
    size_t n = strlen(src);
    if (n >= size) {
        n = size - 1;
        /* Back up over UTF-8 continuation bytes so a cut never leaves half a character. */
        while (n > 0 && ((unsigned char)src[n] & 0xC0) == 0x80)
            n--;
    }
    memcpy(dst, src, n);
    dst[n] = '\0';
}

void hq_error_clear(HqError *err)
{
    if (err == NULL)
        return;
    memset(err, 0, sizeof *err);
    err->status = HQ_OK;
    err->batch_index = -1;
}

HqStatus hq_error_set(HqError *err, HqStatus st, const char *fmt, ...)
{
    if (err == NULL)
        return st;
    hq_error_clear(err);
    err->status = st;
    va_list ap;
    va_start(ap, fmt);
    /* Format into more room than the message has, so that the cut that counts is made by
     * hq_copy_str at a character boundary, not by vsnprintf in the middle of one. */
    char tmp[2 * sizeof err->message];
    vsnprintf(tmp, sizeof tmp, fmt, ap);
    va_end(ap);
    hq_copy_str(err->message, sizeof err->message, tmp);
    return st;
}

HqStatus hq_error_nomem(HqError *err)
{
    return hq_error_set(err, HQ_ERR_NOMEM, "out of memory");
}

void hq_error_set_column(HqError *err, const char *name)
{
    if (err != NULL && err->column_name[0] == '\0')
        hq_copy_str(err->column_name, sizeof err->column_name, name);
}

/* libpq messages end with a newline and may span lines; keep the first line only, since the
 * message field is documented as one line and DETAIL/HINT have their own fields. */
static void copy_first_line(char *dst, size_t size, const char *src)
{
    hq_copy_str(dst, size, src);
    char *nl = strchr(dst, '\n');
    if (nl != NULL)
        *nl = '\0';
}

static void copy_field(char *dst, size_t size, const PGresult *r, int code)
{
    hq_copy_str(dst, size, PQresultErrorField(r, code));
}

HqStatus hq_error_from_result(HqError *err, const PGresult *r)
{
    const char *state = r != NULL ? PQresultErrorField(r, PG_DIAG_SQLSTATE) : NULL;
    /* No SQLSTATE means libpq made the error up itself: the connection is gone. */
    HqStatus st = HQ_ERR_SERVER;
    if (state == NULL || state[0] == '\0' || strncmp(state, "08", 2) == 0)
        st = HQ_ERR_CONNECT;
    if (err == NULL)
        return st;
    hq_error_clear(err);
    err->status = st;
    if (r == NULL) {
        hq_copy_str(err->message, sizeof err->message, "no result from server");
        return st;
    }
    hq_copy_str(err->sqlstate, sizeof err->sqlstate, state);
    const char *primary = PQresultErrorField(r, PG_DIAG_MESSAGE_PRIMARY);
    if (primary != NULL)
        copy_first_line(err->message, sizeof err->message, primary);
    else
        copy_first_line(err->message, sizeof err->message, PQresultErrorMessage(r));
    copy_field(err->detail, sizeof err->detail, r, PG_DIAG_MESSAGE_DETAIL);
    copy_field(err->hint, sizeof err->hint, r, PG_DIAG_MESSAGE_HINT);
    copy_field(err->constraint_name, sizeof err->constraint_name, r, PG_DIAG_CONSTRAINT_NAME);
    copy_field(err->schema_name, sizeof err->schema_name, r, PG_DIAG_SCHEMA_NAME);
    copy_field(err->table_name, sizeof err->table_name, r, PG_DIAG_TABLE_NAME);
    copy_field(err->column_name, sizeof err->column_name, r, PG_DIAG_COLUMN_NAME);
    copy_field(err->datatype_name, sizeof err->datatype_name, r, PG_DIAG_DATATYPE_NAME);
    return st;
}

HqStatus hq_error_from_conn(HqError *err, PGconn *pg, const char *what)
{
    if (err == NULL)
        return HQ_ERR_CONNECT;
    char line[sizeof err->message];
    copy_first_line(line, sizeof line, pg != NULL ? PQerrorMessage(pg) : "no connection");
    if (line[0] == '\0')
        hq_copy_str(line, sizeof line, "unknown libpq error");
    return hq_error_set(err, HQ_ERR_CONNECT, "%s: %s", what, line);
}

bool hq_error_is(const HqError *err, const char *code)
{
    if (err == NULL || code == NULL || err->sqlstate[0] == '\0')
        return false;
    size_t n = strlen(code);
    if (n == 2)
        return strncmp(err->sqlstate, code, 2) == 0;
    return strcmp(err->sqlstate, code) == 0;
}

size_t hq_error_format(const HqError *err, char *buf, size_t size)
{
    HqBuf b;
    hq_buf_init(&b, NULL);
    if (err == NULL || err->status == HQ_OK) {
        hq_buf_puts(&b, "no error");
    } else {
        if (err->sqlstate[0] != '\0')
            hq_buf_printf(&b, "ERROR %s: %s", err->sqlstate, err->message);
        else
            hq_buf_printf(&b, "%s: %s", hq_status_name(err->status), err->message);
        if (err->detail[0] != '\0')
            hq_buf_printf(&b, "; detail: %s", err->detail);
        if (err->hint[0] != '\0')
            hq_buf_printf(&b, "; hint: %s", err->hint);
        if (err->constraint_name[0] != '\0')
            hq_buf_printf(&b, " (constraint \"%s\")", err->constraint_name);
        else if (err->column_name[0] != '\0')
            hq_buf_printf(&b, " (column \"%s\")", err->column_name);
        if (err->batch_index >= 0)
            hq_buf_printf(&b, " [batch item %lld]", (long long)err->batch_index);
    }
    size_t need = b.len;
    if (b.oom) {
        /* Formatting must still say something when memory is short. */
        static const char fallback[] = "error (out of memory while formatting)";
        need = sizeof fallback - 1;
        if (size > 0)
            hq_copy_str(buf, size, fallback);
    } else if (size > 0) {
        hq_copy_str(buf, size, b.data != NULL ? b.data : "");
    }
    hq_buf_free(&b);
    return need;
}
