/* emit_c_int.h - shared between the C API emitter's files (emit_c*.c): the
 * naming plan (every C identifier the generated code uses, decided once in
 * emit_c_names.c) and the SQL -> C type mapping the runtime's codecs expect. */
#ifndef HQC_EMIT_C_INT_H
#define HQC_EMIT_C_INT_H

#include <stdbool.h>

#include "emit/emit.h"
#include "base/strbuf.h"

/* How one SQL type travels through libhq (runtime/hq.h, "C representation"). */
typedef struct {
    const char *hq;          /* runtime type constant: "HQ_TYPE_UUID" (element type of arrays) */
    const char *member;      /* C type of a struct member: "HqUuid", "char *", "HqArray" */
    const char *param;       /* C type of a key parameter: "const HqUuid *", "const char *", "int32_t" */
    bool by_ref;             /* param is a pointer to the member type (member = *param) */
    bool string;             /* char *: member = (char *)param */
    bool array;              /* HQ_FIELD_ARRAY */
    const HqEnum *enm;       /* labels of an enum (or of an enum array's elements) */
    const char *enum_sym;    /* its generated scope: "hq__task_status" */
    const char *cast;        /* SQL cast for function arguments, without typmods */
    const char *note;        /* what the C value means, for the member comment */
} CgType;

/* One member of a generated record: a table column, a function argument or a
 * result column. */
typedef struct {
    const char *sql;         /* identifier as it goes into SQL text (quoted when needed) */
    const char *sql_raw;     /* unquoted name, for comments */
    const char *member;      /* C member name (keyword-safe) */
    const char *null_member; /* C name of the "is SQL NULL" flag, NULL when not nullable */
    const char *index;       /* field index constant, NULL when none is generated */
    CgType ty;
    bool primary_key, has_default, generated;
    const HqExtension *requires; /* optional extension the column needs, or NULL */
    const char *comment;     /* SQL type and properties, for the member comment */
} CgField;

typedef struct {
    const char *name;        /* constraint or index name */
    const char *suffix;      /* wrapper name after "upsert": "" (primary key) or "_by_slug" */
    size_t n_fields;
    size_t *fields;          /* indexes into the table's fields */
    const char *predicate;   /* WHERE of a partial unique index, or NULL */
} CgKey;

typedef struct {
    const HqTable *t;
    const char *base;        /* snake-case C scope: "agent_inbox_item" */
    const char *type;        /* "Hq__AgentInboxItem" */
    const char *sym;         /* "hq__agent_inbox_item" */
    const char *up;          /* "HQ__AGENT_INBOX_ITEM" */
    const char *sql;         /* quoted qualified name: public.agent_inbox_items */
    size_t n_fields;
    CgField *fields;
    CgKey *pk;               /* NULL when the table has none */
    size_t n_unique;
    CgKey *unique;           /* other unique keys usable by upsert */
    const HqExtension *optional_ext; /* an optional extension some columns need, or NULL */
} CgTable;

typedef struct {
    const HqEnum *e;
    const char *type;        /* "Hq__TaskStatus" */
    const char *sym;         /* "hq__task_status" */
    size_t n_labels;
    const char **consts;     /* "HQ__TASK_STATUS__TODO", one per label */
} CgEnum;

typedef enum { CG_RET_VOID, CG_RET_SCALAR, CG_RET_ROW, CG_RET_SETOF } CgRet;

typedef struct {
    const HqFunction *f;
    const char *sym;         /* "hq__lease_inbox_item" (also the wrapper's name) */
    const char *type;        /* "Hq__LeaseInboxItem" (scope of __Args, __Row) */
    const char *up;          /* "HQ__LEASE_INBOX_ITEM" */
    const char *sql;         /* quoted qualified name */
    size_t n_args;
    CgField *args;           /* input arguments, declared order */
    bool has_defaults;       /* some argument may be omitted */
    CgRet ret;
    const CgTable *row_table;/* ROW/SETOF of a table's row type */
    size_t n_out;
    CgField *out;            /* own result record: TABLE(...), SETOF scalar, scalar */
    const char *row_type;    /* C type of a result row (ROW/SETOF) */
    const char *row_fn;      /* its typed callback type: "Hq__AgentInboxItem__RowFn" */
    const char *row_sym;     /* symbol scope of its trampoline and clear function */
} CgFunc;

/* The whole plan, in output order (enums, tables, functions: each by name). */
typedef struct {
    const HqModel *m;
    HqArena *a;
    const char *lo;          /* "hq" */
    const char *camel;       /* "Hq" */
    const char *up;          /* "HQ" */
    const char *file;        /* "hq_schema" */
    size_t n_enums;
    CgEnum *enums;
    size_t n_tables;
    CgTable *tables;
    size_t n_funcs;
    CgFunc *funcs;
} CgPlan;

/* emit_c_names.c */
/* Fills *p from the final state of m: every enum, table (with columns) and
 * non-trigger function, named and sorted. Never fails; lives in m's arena. */
void cg_plan(const HqModel *m, CgPlan *p);
/* The plan entry of an enum or table of the model, or NULL. */
const CgEnum *cg_enum(const CgPlan *p, const HqEnum *e);
const CgTable *cg_table(const CgPlan *p, const HqTable *t);
/* A C string literal with everything outside printable ASCII escaped. */
void cg_cstr(StrBuf *b, const char *s);
/* A comment-safe copy of text: one line, no comment terminator. */
const char *cg_comment(HqArena *a, const char *s);
/* "HQ_FIELD_NULLABLE | HQ_FIELD_HAS_DEFAULT" or "0". */
void cg_flags(StrBuf *b, const CgField *f);
/* A member declaration "    HqUuid id;" padded to a comment column, plus the comment. */
void cg_member(StrBuf *b, const char *type, const char *name, const char *comment);

/* emit_c_table.c: declarations into h, definitions into c. */
/* Struct, field constants, descriptors and wrappers of one table. */
void cg_emit_table(const CgPlan *p, const CgTable *t, StrBuf *h, StrBuf *c);
/* The HqField array of a record whose C type is `type`; `casts` writes each
 * field's SQL type as the placeholder cast (function arguments). */
void cg_emit_fields(StrBuf *c, const char *array, const char *type, const CgField *fields, size_t n, bool casts);
/* A static trampoline from the runtime's HqRowFn to a typed row callback. */
void cg_emit_trampoline(StrBuf *c, const char *row_type, const char *row_sym);
/* A const HqColumnSet initializer holding the given field indexes. */
void cg_emit_colset(StrBuf *c, const bool *in, size_t n);

/* emit_c_func.c */
/* Argument and result structs, HqFuncDesc and the wrapper of one function. */
void cg_emit_func(const CgPlan *p, const CgFunc *f, StrBuf *h, StrBuf *c);

#endif /* HQC_EMIT_C_INT_H */
