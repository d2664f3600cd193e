/* hq_tx.c - transaction blocks and savepoints. The statements are fixed text; savepoint names are
 * generated (hq_sp_<n>) rather than taken from callers, so no identifier ever needs quoting, and
 * a COMMIT that the server turned into a ROLLBACK is reported as an error instead of success.
 */
#include "hq_int.h"

#include <stdio.h>
#include <string.h>

/* Runs one fixed command; `tag`, when given, is the command tag that means success. */
static HqStatus run(HqConn *c, const char *sql, const char *tag, HqError *err)
{
    HqStatus st = hq_conn_check(c, err);
    if (st != HQ_OK)
        return st;
    PGresult *r = PQexec(c->pg, sql);
    if (PQresultStatus(r) != PGRES_COMMAND_OK)
        st = r == NULL ? hq_error_from_conn(err, c->pg, sql) : hq_error_from_result(err, r);
    else if (tag != NULL && strcmp(PQcmdStatus(r), tag) != 0)
        st = hq_error_set(err, HQ_ERR_STATE,
                          "transaction had failed and was rolled back instead of committed");
    PQclear(r);
    return st;
}

HqStatus hq_begin(HqConn *c, HqError *err)
{
    return run(c, "BEGIN", NULL, err);
}

HqStatus hq_begin_ex(HqConn *c, HqIsolation iso, bool read_only, HqError *err)
{
    static const char *const sql[4][2] = {
        {"BEGIN", "BEGIN READ ONLY"},
        {"BEGIN ISOLATION LEVEL READ COMMITTED", "BEGIN ISOLATION LEVEL READ COMMITTED READ ONLY"},
        {"BEGIN ISOLATION LEVEL REPEATABLE READ",
         "BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY"},
        {"BEGIN ISOLATION LEVEL SERIALIZABLE", "BEGIN ISOLATION LEVEL SERIALIZABLE READ ONLY"},
    };
    if ((unsigned)iso > HQ_ISOLATION_SERIALIZABLE)
        return hq_error_set(err, HQ_ERR_INVALID, "unknown isolation level %d", (int)iso);
    return run(c, sql[iso][read_only ? 1 : 0], NULL, err);
}

HqStatus hq_commit(HqConn *c, HqError *err)
{
    /* COMMIT of a failed transaction succeeds with tag "ROLLBACK": check the tag. */
    return run(c, "COMMIT", "COMMIT", err);
}

HqStatus hq_rollback(HqConn *c, HqError *err)
{
    return run(c, "ROLLBACK", NULL, err);
}

static HqStatus savepoint_cmd(HqConn *c, const char *verb, uint32_t id, HqError *err)
{
    char sql[64];
    snprintf(sql, sizeof sql, "%s hq_sp_%lu", verb, (unsigned long)id);
    return run(c, sql, NULL, err);
}

HqStatus hq_savepoint(HqConn *c, HqSavepoint *sp, HqError *err)
{
    HqStatus st = hq_conn_check(c, err);
    if (st != HQ_OK)
        return st;
    if (sp == NULL)
        return hq_error_set(err, HQ_ERR_INVALID, "hq_savepoint: sp is NULL");
    uint32_t id = ++c->next_savepoint;
    st = savepoint_cmd(c, "SAVEPOINT", id, err);
    if (st == HQ_OK)
        sp->id = id;
    return st;
}

HqStatus hq_savepoint_release(HqConn *c, const HqSavepoint *sp, HqError *err)
{
    if (sp == NULL || sp->id == 0)
        return hq_error_set(err, HQ_ERR_INVALID, "savepoint was not set");
    return savepoint_cmd(c, "RELEASE SAVEPOINT", sp->id, err);
}

HqStatus hq_savepoint_rollback(HqConn *c, const HqSavepoint *sp, HqError *err)
{
    if (sp == NULL || sp->id == 0)
        return hq_error_set(err, HQ_ERR_INVALID, "savepoint was not set");
    return savepoint_cmd(c, "ROLLBACK TO SAVEPOINT", sp->id, err);
}

bool hq_in_transaction(const HqConn *c)
{
    if (c == NULL)
        return false;
    PGTransactionStatusType ts = PQtransactionStatus(c->pg);
    return ts == PQTRANS_INTRANS || ts == PQTRANS_INERROR || ts == PQTRANS_ACTIVE;
}
