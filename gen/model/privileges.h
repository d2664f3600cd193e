/* privileges.h - the privileges a fresh install gives each object, computed
 * from the model: PostgreSQL's built-in defaults (PUBLIC may EXECUTE every
 * function), the schema's default_privileges in force when the object is
 * created, then its grants and revokes in module order. This is the state
 * hqc converges privileges to, and what the lints call "executable by".
 *
 * Roles are the names written in YAML; "public" stands for PUBLIC. The
 * owner's privileges are not modelled (hqc never manages them). Results live
 * in the model's arena. */
#ifndef HQC_PRIVILEGES_H
#define HQC_PRIVILEGES_H

#include "model/model.h"

enum {
    HQ_PRIV_SELECT = 1 << 0,
    HQ_PRIV_INSERT = 1 << 1,
    HQ_PRIV_UPDATE = 1 << 2,
    HQ_PRIV_DELETE = 1 << 3,
    HQ_PRIV_TRUNCATE = 1 << 4,
    HQ_PRIV_REFERENCES = 1 << 5,
    HQ_PRIV_TRIGGER = 1 << 6,
    HQ_PRIV_EXECUTE = 1 << 7,
    HQ_PRIV_USAGE = 1 << 8,
    HQ_PRIV_CREATE = 1 << 9,
    HQ_PRIV_MAINTAIN = 1 << 10      /* PostgreSQL 17+; part of "all" on tables */
};

/* What "all" means per kind of object (PostgreSQL 15). */
#define HQ_PRIVS_TABLE                                                                                      \
    (HQ_PRIV_SELECT | HQ_PRIV_INSERT | HQ_PRIV_UPDATE | HQ_PRIV_DELETE | HQ_PRIV_TRUNCATE | HQ_PRIV_REFERENCES | \
     HQ_PRIV_TRIGGER | HQ_PRIV_MAINTAIN)
#define HQ_PRIVS_COLUMN (HQ_PRIV_SELECT | HQ_PRIV_INSERT | HQ_PRIV_UPDATE | HQ_PRIV_REFERENCES)
#define HQ_PRIVS_SEQUENCE (HQ_PRIV_USAGE | HQ_PRIV_SELECT | HQ_PRIV_UPDATE)
#define HQ_PRIVS_FUNCTION HQ_PRIV_EXECUTE
#define HQ_PRIVS_SCHEMA (HQ_PRIV_USAGE | HQ_PRIV_CREATE)

typedef struct {
    const char *role;       /* "public" = PUBLIC */
    unsigned privs;         /* HQ_PRIV_* bits, never 0 */
} HqAclEntry;

typedef struct {
    size_t n;
    HqAclEntry *items;      /* sorted by role name */
} HqAcl;

/* The bits of a privilege word ("select", "all", ...) on an object whose
 * "all" is `all`; 0 for a word that does not apply to it. */
unsigned privileges_parse(const char *word, unsigned all);
/* "SELECT" for one bit. */
const char *privileges_name(unsigned bit);

/* Table level (views too: their SELECT grants are table grants). */
void privileges_of_table(const HqModel *m, const HqTable *t, HqAcl *out);
/* Column-level grants of one column (not what the table level implies). */
void privileges_of_column(const HqModel *m, const HqTable *t, const char *column, HqAcl *out);
void privileges_of_view(const HqModel *m, const HqView *v, HqAcl *out);
/* The final version of a function, with what earlier versions of the same
 * signature passed on (CREATE OR REPLACE keeps the ACL). */
void privileges_of_function(const HqModel *m, const HqFunction *f, HqAcl *out);
/* USAGE/CREATE on a schema: PostgreSQL's default (PUBLIC USAGE on "public")
 * plus schema_grants. */
void privileges_of_schema(const HqModel *m, const char *schema, HqAcl *out);
/* Default privileges declared for objects of `on` ("tables", "functions",
 * "sequences") in `schema`, as of the end of module `as_of` (NULL: all). */
void privileges_defaults(const HqModel *m, const char *schema, const char *on, const HqModule *as_of, HqAcl *out);

/* What `role` may do by the ACL: its own privileges and PUBLIC's. */
unsigned privileges_of_role(const HqAcl *acl, const char *role);
/* True when `role` is one the project manages: a project role or PUBLIC. */
bool privileges_role_managed(const HqModel *m, const char *role);

#endif /* HQC_PRIVILEGES_H */
