/* model.h - the schema as later stages see it.
 *
 * Two views of the same objects:
 *  - per module, the deltas (HqTableDelta, enums created or extended, ...):
 *    what each migration module says, which the SQL emitter walks;
 *  - the final state (HqModel.tables, .functions, ...), with every object
 *    pointing at the module that introduced it and, when a later module
 *    drops or replaces it, at that module too; docs, C and diff read this.
 * Everything lives in the run's arena. Stages after build never mutate it. */
#ifndef HQC_MODEL_H
#define HQC_MODEL_H

#include <stdbool.h>
#include <stddef.h>

#include "base/arena.h"
#include "base/diag.h"
#include "base/namemap.h"
#include "load/yaml_tree.h"

typedef struct HqModule HqModule;
typedef struct HqTable HqTable;
typedef struct HqEnum HqEnum;
typedef struct HqExtension HqExtension;
typedef struct HqFunction HqFunction;

/* A declared exception to lint rules on the object that carries it:
 * `lint: { allow: [rule, ...], reason: "..." }`. The lint stage checks that
 * each allowed rule names a rule that reports on that object, and that a
 * reason is given. */
typedef struct {
    size_t n_allow;
    const char **allow;             /* rule names as written */
    HqLoc *allow_locs;              /* where each name is written */
    const char *reason;             /* NULL when missing (an error) */
    const char *object;             /* what it is on, in words: "column tasks.title" */
    const HqTable *table;           /* table it belongs to (its own or an object's), or NULL */
    const void *owner;              /* the HqFunction / HqView / ... it is on, for the docs */
    const HqModule *module;         /* NULL in _project.yaml */
    size_t index;                   /* position in HqModel.lints */
    HqLoc loc;                      /* the `lint` key */
} HqLint;

/* Lookup indexes by name (model.c keeps them in step with the lists they
 * index; build creates them, and a model without them is scanned). */
typedef struct {
    HqArena *arena;
    HqVecIndex *columns, *constraints, *policies, *triggers;
} HqTableIndex;

typedef struct {
    HqVecIndex *tables, *platform_tables, *enums, *functions, *all_functions, *platform_functions,
        *extensions, *cron_jobs, *views;
    /* changes by old name, new name and subject: name -> HqVec* of HqChange* */
    HqNameMap *changes_by_name, *changes_by_to, *changes_by_subject;
    size_t n_changes_indexed;
} HqModelIndex;

/* A fragment of user-written SQL, passed through verbatim. */
typedef struct {
    const char *text;
    const YNode *node;   /* the YAML scalar it came from (for error offsets) */
    HqLoc loc;
} HqSql;

/* A documentation group of tables (project.domains), e.g. "Tasks". */
typedef struct {
    const char *name;               /* key in project.domains: "tasks" */
    const char *title;              /* heading in the docs; defaults to name */
    const char *doc;
    HqLoc loc;
} HqDomain;

typedef enum {
    HQ_TYPE_BUILTIN,     /* a PostgreSQL type (or unknown, reported by check) */
    HQ_TYPE_ENUM,        /* an enum of the schema */
    HQ_TYPE_TABLE,       /* a table's row type */
    HQ_TYPE_EXTENSION,   /* provided by an extension (vector) */
    HQ_TYPE_TRIGGER,     /* RETURNS trigger */
    HQ_TYPE_VOID
} HqTypeKind;

typedef struct {
    const char *written;    /* as written in YAML: "numeric(10,2)", "text[]" */
    const char *name;       /* base name, lowercase, without schema: "numeric" */
    const char *typmods;    /* "10,2" or NULL */
    int array_dims;         /* 0 for scalars */
    HqTypeKind kind;
    HqEnum *enum_ref;           /* kind == ENUM */
    HqTable *table_ref;         /* kind == TABLE */
    HqExtension *ext;           /* kind == EXTENSION */
    const char *sql;        /* emitted spelling, schema-qualified where needed */
    HqLoc loc;
} HqType;

typedef enum { HQ_FK_NO_ACTION, HQ_FK_RESTRICT, HQ_FK_CASCADE, HQ_FK_SET_NULL, HQ_FK_SET_DEFAULT } HqFkAction;

typedef enum { HQ_CON_PRIMARY, HQ_CON_UNIQUE, HQ_CON_FOREIGN, HQ_CON_CHECK } HqConstraintKind;

typedef struct {
    const char *name;
    HqConstraintKind kind;
    size_t n_columns;
    const char **columns;           /* PK / UNIQUE / FK local columns */
    /* FOREIGN KEY */
    const char *ref_table_name;
    HqTable *ref_table;
    size_t n_ref_columns;
    const char **ref_columns;
    HqFkAction on_delete, on_update;
    /* CHECK */
    HqSql check;
    const char *pattern;            /* CHECK built from a column pattern */
    HqModule *module;               /* module that added it */
    HqModule *dropped_in;           /* later module that drops it, or NULL */
    bool in_create;                 /* declared with the table (CREATE TABLE) */
    const HqLint *lint;             /* foreign_keys entries: lint exceptions, or NULL */
    HqLoc loc;
} HqConstraint;

/* One change a later module makes to an existing column. */
typedef struct {
    HqModule *module;
    bool sets_not_null;  bool not_null;
    bool sets_default;   HqSql default_sql;   /* default_sql.text NULL = DROP DEFAULT */
    HqLoc loc;
} HqColumnAlter;

typedef enum { HQ_IDENTITY_NONE, HQ_IDENTITY_ALWAYS, HQ_IDENTITY_BY_DEFAULT } HqIdentity;

typedef struct {
    const char *name;
    HqType type;
    bool not_null;                  /* as created */
    HqSql default_sql;              /* as created; text NULL = none */
    HqSql generated;                /* text NULL = not generated */
    HqIdentity identity;
    const char *doc;
    HqModule *module;               /* module that added the column */
    bool in_create;                 /* part of CREATE TABLE */
    HqVec alters;                   /* HqColumnAlter*, in module order */
    bool final_not_null;            /* after all alters */
    HqSql final_default;
    HqExtension *requires;          /* optional extension it needs, or NULL */
    const char *from_trait;         /* trait that contributed it, or NULL */
    HqSql backfill;                 /* value existing rows get when the column is added
                                       to a table that has rows; text NULL = none */
    const HqLint *lint;
    HqLoc loc;
} HqColumn;

typedef struct {
    const char *name;
    bool unique;
    const char *method;             /* "btree", "gin", "hnsw", ... */
    size_t n_keys;
    HqSql *keys;                    /* SQL index elements */
    size_t n_include;
    const char **include;
    HqSql where;                    /* text NULL = not partial */
    size_t n_with;
    const char **with_names, **with_values;
    HqModule *module;
    HqModule *dropped_in;
    HqExtension *requires;
    const HqLint *lint;
    HqLoc loc;
} HqIndex;

typedef enum { HQ_CMD_ALL, HQ_CMD_SELECT, HQ_CMD_INSERT, HQ_CMD_UPDATE, HQ_CMD_DELETE } HqCommand;

typedef struct {
    const char *name;
    HqCommand command;
    size_t n_roles;
    const char **roles;             /* empty = PUBLIC */
    HqSql using_sql, check_sql;     /* text NULL = absent */
    bool restrictive;
    const char *doc;
    HqModule *module;
    HqModule *dropped_in;
    const HqLint *lint;
    HqLoc loc;
} HqPolicy;

typedef struct {
    size_t n_privileges;
    const char **privileges;        /* lowercase; "all" allowed */
    size_t n_roles;
    const char **roles;
    size_t n_columns;
    const char **columns;           /* column privileges; empty = table */
    bool revoke;
    HqModule *module;
    HqLoc loc;
} HqGrant;

typedef enum { HQ_TIMING_BEFORE, HQ_TIMING_AFTER, HQ_TIMING_INSTEAD_OF } HqTiming;

enum { HQ_EV_INSERT = 1, HQ_EV_UPDATE = 2, HQ_EV_DELETE = 4, HQ_EV_TRUNCATE = 8 };

typedef struct {
    const char *name;
    HqTiming timing;
    unsigned events;                /* HQ_EV_* bits */
    size_t n_update_of;
    const char **update_of;         /* UPDATE OF columns */
    bool for_statement;
    HqSql when;
    const char *function_name;
    HqFunction *function;
    size_t n_args;
    const char **args;              /* string literal arguments */
    const char *doc;
    HqModule *module;
    HqModule *dropped_in;
    const HqLint *lint;
    HqLoc loc;
} HqTrigger;

typedef enum { HQ_RLS_UNSET, HQ_RLS_ENABLED, HQ_RLS_FORCED, HQ_RLS_DISABLED } HqRls;
typedef enum { HQ_REPLICA_UNSET, HQ_REPLICA_DEFAULT, HQ_REPLICA_FULL, HQ_REPLICA_NOTHING } HqReplica;

/* What one module says about one table: the table's creation, or an
 * extension of an earlier (or platform) table. */
typedef struct {
    HqTable *table;
    HqModule *module;
    bool creates;
    HqVec columns;                  /* HqColumn* added */
    HqVec alters;                   /* HqColumnAlter* (with ->column via alter_columns) */
    HqVec alter_columns;            /* HqColumn* parallel to alters */
    HqVec constraints;              /* HqConstraint* added */
    HqVec drop_constraints;         /* const char* names */
    HqVec indexes;                  /* HqIndex* */
    HqVec drop_indexes;             /* const char* */
    HqVec policies;                 /* HqPolicy* */
    HqVec drop_policies;            /* const char* */
    HqVec triggers;                 /* HqTrigger* */
    HqVec drop_triggers;            /* const char* */
    HqVec grants;                   /* HqGrant* (grants and revokes, in order) */
    HqRls rls;
    int realtime;                   /* -1 unset, 0 no, 1 yes */
    HqReplica replica_identity;
    const HqLint *lint;             /* exceptions on the table entry, or NULL */
    HqLoc loc;
} HqTableDelta;

struct HqTable {
    const char *name;
    const char *schema;             /* NULL = the project schema */
    const char *qname;              /* "public.tasks" */
    const char *doc;
    const HqDomain *domain;         /* docs group (`domain:`), or NULL */
    bool platform;                  /* provided by the platform, never created */
    HqModule *module;               /* creating module (NULL for platform) */
    HqVec traits;                   /* const char* trait names applied */
    /* final state */
    HqVec columns;                  /* HqColumn*, in attnum order */
    HqVec constraints;              /* HqConstraint* not dropped */
    HqVec indexes;                  /* HqIndex* not dropped */
    HqVec policies;
    HqVec triggers;
    HqVec grants;
    HqRls rls;
    bool realtime;
    HqReplica replica_identity;
    HqConstraint *primary_key;
    HqVec deltas;                   /* HqTableDelta*, in module order */
    HqExtension *requires;
    HqLoc loc;
    HqTableIndex *index;            /* columns and constraints by name, or NULL */
};

typedef struct {
    const char *name;
    const char *doc;
    HqModule *module;               /* module that added the value */
    HqLoc loc;
} HqEnumValue;

struct HqEnum {
    const char *name;
    const char *qname;
    const char *doc;
    HqModule *module;
    HqVec values;                   /* HqEnumValue*, final order */
    HqLoc loc;
    HqVecIndex *value_index;        /* values by name (build) */
};

struct HqExtension {
    const char *name;
    const char *schema;             /* NULL = default */
    bool optional;
    size_t n_types;
    const char **types;
    const char *doc;
    HqModule *module;
    const HqLint *lint;
    HqLoc loc;
};

typedef enum { HQ_ARG_IN, HQ_ARG_OUT, HQ_ARG_INOUT, HQ_ARG_VARIADIC } HqArgMode;

typedef struct {
    const char *name;
    HqType type;
    HqSql default_sql;
    HqArgMode mode;
    HqLoc loc;
} HqArg;

typedef enum { HQ_RET_SCALAR, HQ_RET_SETOF, HQ_RET_TABLE, HQ_RET_TRIGGER, HQ_RET_VOID } HqReturnKind;

typedef struct {
    const char *name;
    HqType type;
    HqLoc loc;
} HqOutColumn;

struct HqFunction {
    const char *name;
    const char *qname;
    const char *doc;
    size_t n_args;
    HqArg *args;
    HqReturnKind ret_kind;
    HqType ret_type;                /* SCALAR / SETOF */
    size_t n_out;
    HqOutColumn *out;               /* TABLE(...) */
    const char *language;           /* "plpgsql" / "sql" */
    char volatility;                /* 'v', 's', 'i' */
    bool security_definer;
    bool strict;
    const char *search_path;        /* NULL = no SET clause */
    HqSql body;
    size_t n_grants, n_revokes;
    const char **grants, **revokes;
    HqExtension *requires;
    bool replaces;                  /* redefines an earlier module's function */
    HqFunction *previous;           /* the version it replaces */
    HqFunction *replaced_by;        /* the later version, or NULL */
    HqModule *module;
    bool platform;
    const HqLint *lint;
    HqLoc loc;
};

typedef struct {
    const char *name;
    const char *schedule;
    HqSql command;
    const char *doc;
    HqModule *module;
    HqLoc loc;
} HqCronJob;

typedef struct {
    const char *id, *name;
    bool is_public;
    HqModule *module;
    const HqLint *lint;
    HqLoc loc;
} HqBucket;

/* A seed value: a YAML node interpreted against the column type. */
typedef struct {
    const char *column;
    const YNode *value;
} HqSeedValue;

typedef struct {
    size_t n_values;
    HqSeedValue *values;
    HqLoc loc;
} HqSeedRow;

typedef struct {
    const char *table_name;
    HqTable *table;
    size_t n_conflict;
    const char **conflict;          /* ON CONFLICT columns; empty = WHERE NOT EXISTS on PK */
    size_t n_rows;
    HqSeedRow *rows;
    HqModule *module;
    HqLoc loc;
} HqSeed;

typedef struct {
    const char *name;
    const char *doc;
    HqSql sql;
    HqSql when;                     /* runs only while this holds; text NULL = always */
    HqModule *module;
    HqLoc loc;
} HqDataStep;

typedef struct {
    long version;
    const char *description;
    HqModule *module;
    HqLoc loc;
} HqSchemaVersion;

typedef struct {
    const char *doc;
    HqSql sql;
    HqModule *module;
    HqLoc loc;
} HqRawBlock;

/* A view: a named SELECT, replaced on every run (CREATE OR REPLACE VIEW). */
typedef struct {
    const char *name;
    const char *qname;
    const char *doc;
    HqSql query;                    /* the SELECT */
    bool security_invoker;          /* RLS of the caller applies (PostgreSQL 15+) */
    size_t n_grants;
    const char **grants;            /* roles granted SELECT */
    HqModule *module;
    const HqLint *lint;
    HqLoc loc;
} HqView;

typedef struct {
    const char *schema;
    size_t n_privileges;
    const char **privileges;
    size_t n_roles;
    const char **roles;
    const char *on;                 /* default privileges: tables/functions/sequences */
    HqModule *module;
    HqLoc loc;
} HqSchemaGrant;

/* An explicit change for databases built by an older version of the schema:
 * something that cannot converge by itself (a rename, a type change with a
 * USING expression, a drop, a data move). Each compiles into a step guarded
 * by the catalog state it changes, so it runs once and is a no-op on a fresh
 * install. Old names refer to objects no module declares any more. */
typedef enum {
    HQ_CHG_RENAME_TABLE, HQ_CHG_RENAME_COLUMN, HQ_CHG_RENAME_VALUE, HQ_CHG_RENAME_FUNCTION, HQ_CHG_RENAME_TYPE,
    HQ_CHG_RECREATE_ENUM, HQ_CHG_CHANGE_TYPE,
    HQ_CHG_DROP_TABLE, HQ_CHG_DROP_COLUMN, HQ_CHG_DROP_FUNCTION, HQ_CHG_DROP_TYPE, HQ_CHG_DROP_CONSTRAINT,
    HQ_CHG_DROP_INDEX, HQ_CHG_DROP_TRIGGER, HQ_CHG_DROP_POLICY,
    HQ_CHG_SQL
} HqChangeKind;

typedef struct {
    const char *from, *to;          /* old enum label -> label rows get */
} HqValueMap;

typedef struct {
    HqChangeKind kind;
    const char *key;                /* YAML key of the kind: "rename_table" */
    const char *subject;            /* as written: "tasks.due_date", "f(int)" */
    const char *table;              /* table part ("storage.objects" for platform) */
    const char *name;               /* object (old name for renames) */
    const char *args;               /* functions: "(integer, text)" as written */
    const char *to;                 /* renames: new name */
    size_t n_tables;                /* drop_policy: tables it is dropped from */
    const char **tables;
    HqSql using_sql;                /* change_type */
    HqSql sql;                      /* sql step, or the data move of a drop */
    HqSql when;                     /* sql step: runs while this holds */
    size_t n_map;
    HqValueMap *map;                /* recreate_enum */
    bool at_end;                    /* after the module's objects (data moves) */
    const char *doc;
    HqTable *table_ref;             /* resolved by check: change_type, renames */
    HqColumn *column_ref;           /* change_type, rename_column */
    HqEnum *enum_ref;               /* rename_value, recreate_enum */
    HqModule *module;
    const HqLint *lint;
    HqLoc loc;
} HqChange;

typedef struct {
    HqEnum *enm;
    HqVec values;                   /* HqEnumValue* this module adds */
    bool creates;
    HqLoc loc;
} HqEnumDelta;

struct HqModule {
    const char *name;               /* "014_agent_inbox" */
    const char *path;               /* file it came from */
    int index;                      /* position in module order, from 0 */
    const char *summary, *doc;
    HqVec extensions;               /* HqExtension* */
    HqVec schema_grants;            /* HqSchemaGrant* */
    HqVec default_privileges;       /* HqSchemaGrant* */
    HqVec enums;                    /* HqEnumDelta* (created and extended) */
    HqVec functions;                /* HqFunction* defined here */
    HqVec tables;                   /* HqTableDelta* (created and extended) */
    HqVec cron_jobs;                /* HqCronJob* */
    HqVec buckets;                  /* HqBucket* */
    HqVec seeds;                    /* HqSeed* */
    HqVec data_steps;               /* HqDataStep* */
    HqVec schema_versions;          /* HqSchemaVersion* */
    HqVec raw_blocks;               /* HqRawBlock* */
    HqVec views;                    /* HqView* */
    HqVec changes;                  /* HqChange*, in written order */
    HqLoc loc;
};

typedef struct {
    const char *name;
    const char *doc;
} HqRole;

/* How migrations run against live databases (project.deploy). Durations are
 * PostgreSQL setting values: "3s", "500ms", "10min". */
typedef struct {
    const char *lock_timeout;       /* every statement; default "3s" */
    const char *statement_timeout;  /* every statement; default "10min" */
    int lock_retries;               /* hqc apply: retries after a lock timeout; default 5 */
    const HqLint *lint;
    HqLoc loc;
} HqDeploy;

/* How the schema isolates tenants (project.tenancy), for the tenancy lints:
 * the column tenant-owned tables carry and the function that returns the
 * caller's tenant. Both NULL when the project declares none. */
typedef struct {
    const char *column;             /* "tenant_id" */
    const char *function;           /* "current_tenant_id" */
    HqLoc loc;
} HqTenancy;

typedef struct {
    const char *name;
    const char *doc;
    const char *schema;             /* target schema, default "public" */
    const char *realtime_publication;
    const char *version_table;
    const char *trust;              /* trust-model prose for the docs, or NULL */
    HqVec roles;                    /* HqRole* */
    HqVec domains;                  /* HqDomain*, in declared order */
    HqVec platform_schemas;         /* const char* */
    HqDeploy deploy;
    /* Objects on declared tables hqc leaves alone (never pruned): glob
     * patterns (* and ?) of names, per kind (project.unmanaged). */
    HqVec unmanaged_indexes, unmanaged_constraints, unmanaged_triggers, unmanaged_policies; /* const char* */
    HqTenancy tenancy;
    HqLoc loc;
} HqProject;

typedef struct {
    HqArena *arena;
    HqProject project;
    HqVec modules;                  /* HqModule*, in order */
    /* final state, each sorted by declaration (module, then position) */
    HqVec extensions;
    HqVec enums;
    HqVec tables;                   /* created tables (not platform) */
    HqVec platform_tables;
    HqVec functions;                /* final version of each function */
    HqVec all_functions;            /* every version, including replaced ones */
    HqVec platform_functions;
    HqVec cron_jobs;
    HqVec buckets;
    HqVec seeds;
    HqVec data_steps;
    HqVec schema_versions;
    HqVec raw_blocks;
    HqVec views;
    HqVec changes;                  /* HqChange*, every module's, in order */
    HqVec lints;                    /* HqLint*, every declared lint exception, in file order */
    HqModelIndex *index;            /* lookups by name, or NULL (scan) */
} HqModel;

/* Lookups by name over the final state; NULL when absent. A dotted name
 * ("auth.users") finds platform objects. */
HqTable *model_find_table(const HqModel *m, const char *name);
HqEnum *model_find_enum(const HqModel *m, const char *name);
HqFunction *model_find_function(const HqModel *m, const char *name);
HqExtension *model_find_extension(const HqModel *m, const char *name);
HqColumn *model_find_column(const HqTable *t, const char *name);
HqConstraint *model_find_constraint(const HqTable *t, const char *name);
/* The version of function `name` that module `mod` sees (defined there or
 * earlier), or NULL. */
HqFunction *model_function_at(const HqModel *m, const char *name, const HqModule *mod);
/* Position of table t in m->tables (m->tables.n for a platform table), and
 * of the final version of function `name` in m->functions (or its n). */
size_t model_table_pos(const HqModel *m, const HqTable *t);
size_t model_function_pos(const HqModel *m, const char *name);
/* Create the lookup indexes of a model and of a table (build does). */
void model_index_init(HqModel *m);
void model_table_index_init(HqArena *a, HqTable *t);
/* The change of `kind` whose old object is `name` (on `table`; NULL = any
 * table), the rename of `kind` whose new name is `to`, or NULL. */
const HqChange *model_find_change(const HqModel *m, HqChangeKind kind, const char *table, const char *name);
const HqChange *model_find_rename_to(const HqModel *m, HqChangeKind kind, const char *table, const char *to);
/* Does `m` declare the same change (kind, old object, new name)? */
bool model_has_change(const HqModel *m, const HqChange *c);
/* The argument types of "(integer, numeric(10,2))", each trimmed. */
void model_split_args(HqArena *a, const char *args, HqVec *out);
/* NOT NULL and default of a column as of the end of module `mod`. */
void model_column_as_of(const HqColumn *c, const HqModule *mod, bool *not_null, HqSql *dflt);
/* True if `later` comes strictly after `earlier` in module order. */
bool model_module_after(const HqModule *later, const HqModule *earlier);
const char *model_command_name(HqCommand c);   /* "ALL", "SELECT", ... */
const char *model_fk_action_sql(HqFkAction a); /* "CASCADE", "SET NULL", ... */

#endif /* HQC_MODEL_H */
