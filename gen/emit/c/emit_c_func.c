/* emit_c_func.c - the C API of one function (RPC): its argument struct and
 * argument index constants, its result row struct when it returns TABLE(...)
 * or SETOF a scalar, the HqFuncDesc, and one typed wrapper around hq_call().
 * An argument left out of `provided` is left out of the call, so its SQL
 * DEFAULT applies (named notation). */
#include "emit/c/emit_c_int.h"

#include <string.h>

#include "base/sqlbuf.h"

static const char *returns_sql(HqArena *a, const HqFunction *f)
{
    StrBuf b;
    strbuf_init(&b);
    if (f->ret_kind == HQ_RET_TABLE) {
        strbuf_puts(&b, "TABLE(");
        for (size_t i = 0; i < f->n_out; i++)
            strbuf_printf(&b, "%s%s %s", i ? ", " : "", f->out[i].name, f->out[i].type.sql);
        strbuf_putc(&b, ')');
    } else if (f->ret_kind == HQ_RET_VOID) {
        strbuf_puts(&b, "void");
    } else {
        strbuf_printf(&b, "%s%s", f->ret_kind == HQ_RET_SETOF ? "SETOF " : "", f->ret_type.sql ? f->ret_type.sql : "?");
    }
    const char *s = arena_strdup(a, b.data);
    strbuf_free(&b);
    return s;
}

static bool own_row(const CgFunc *f)
{
    return (f->ret == CG_RET_ROW || f->ret == CG_RET_SETOF) && !f->row_table;
}

/* The wrapper's parameter list after "HqConn *c". */
static void params(StrBuf *b, const CgFunc *f)
{
    if (f->n_args)
        strbuf_printf(b, ", const %s__Args *args", f->type);
    if (f->has_defaults)
        strbuf_puts(b, ", const HqColumnSet *provided");
    switch (f->ret) {
    case CG_RET_VOID:
        break;
    case CG_RET_SCALAR: {
        const char *t = f->out[0].ty.member;
        strbuf_printf(b, ", %s%s*out, bool *out_is_null", t, t[strlen(t) - 1] == '*' ? "" : " ");
        break;
    }
    case CG_RET_ROW:
        strbuf_printf(b, ", %s *out", f->row_type);
        break;
    case CG_RET_SETOF:
        strbuf_printf(b, ", %s *out, %s fn, void *ctx", f->row_type, f->row_fn);
        break;
    }
    strbuf_puts(b, ", HqError *err)");
}

static void declare(const CgPlan *p, const CgFunc *f, StrBuf *h)
{
    HqArena *a = p->a;
    StrBuf sig;
    strbuf_init(&sig);
    strbuf_printf(&sig, "%s(", f->f->qname);
    sqlbuf_function_args(&sig, f->f, true);
    strbuf_printf(&sig, ") RETURNS %s", returns_sql(a, f->f));
    strbuf_printf(h, "/* ---- Function %s */\n\n", cg_comment(a, sig.data));
    strbuf_free(&sig);
    if (f->n_args) {
        strbuf_printf(h, "typedef struct %s__Args {\n", f->type);
        for (size_t i = 0; i < f->n_args; i++) {
            cg_member(h, f->args[i].ty.member, f->args[i].member, f->args[i].comment);
            cg_member(h, "bool", f->args[i].null_member, NULL);
        }
        strbuf_printf(h, "} %s__Args;\n\n", f->type);
        strbuf_puts(h, "enum {\n");
        for (size_t i = 0; i < f->n_args; i++)
            strbuf_printf(h, "    %s%s,\n", f->args[i].index, i == 0 ? " = 0" : "");
        strbuf_puts(h, "};\n\n");
    }
    if (own_row(f)) {
        strbuf_printf(h, "typedef struct %s {\n", f->row_type);
        for (size_t i = 0; i < f->n_out; i++) {
            cg_member(h, f->out[i].ty.member, f->out[i].member, f->out[i].comment);
            cg_member(h, "bool", f->out[i].null_member, NULL);
        }
        strbuf_printf(h, "} %s;\n\n", f->row_type);
        if (f->ret == CG_RET_SETOF)
            strbuf_printf(h, "typedef int (*%s)(void *ctx, %s *row);\n\n", f->row_fn, f->row_type);
    }
    strbuf_printf(h, "extern const HqFuncDesc %s__func;\n", f->sym);
    if (f->has_defaults)
        strbuf_printf(h, "extern const HqColumnSet %s__required_args;\n", f->sym);
    strbuf_printf(h, "HqStatus %s(HqConn *c", f->sym);
    params(h, f);
    strbuf_puts(h, ";\n");
    if (own_row(f))
        strbuf_printf(h, "void %s__row_clear(HqConn *c, %s *row);\n", f->sym, f->row_type);
    strbuf_putc(h, '\n');
}

static void descriptors(const CgPlan *p, const CgFunc *f, StrBuf *c)
{
    HqArena *a = p->a;
    if (f->n_args) {
        cg_emit_fields(c, arena_printf(a, "%s__arg_fields", f->sym), arena_printf(a, "%s__Args", f->type), f->args,
                       f->n_args, true);
        strbuf_printf(c, "static const HqRecordDesc %s__args = {\"%s__args\", sizeof(%s__Args), %zu, %s__arg_fields};\n",
                      f->sym, f->sym, f->type, f->n_args, f->sym);
    }
    const char *result = "NULL";
    if (f->ret == CG_RET_SCALAR) {
        /* A private one-field record: the wrapper hands out the value itself. */
        const char *t = f->out[0].ty.member;
        strbuf_printf(c, "typedef struct {\n    %s%svalue;\n    bool value_is_null;\n} %s__Result;\n", t,
                      t[strlen(t) - 1] == '*' ? "" : " ", f->type);
        cg_emit_fields(c, arena_printf(a, "%s__result_fields", f->sym), arena_printf(a, "%s__Result", f->type), f->out,
                       1, false);
        strbuf_printf(c,
                      "static const HqRecordDesc %s__result = {\"%s__result\", sizeof(%s__Result), 1, "
                      "%s__result_fields};\n",
                      f->sym, f->sym, f->type, f->sym);
        result = arena_printf(a, "&%s__result", f->sym);
    } else if (own_row(f)) {
        cg_emit_fields(c, arena_printf(a, "%s__result_fields", f->sym), f->row_type, f->out, f->n_out, false);
        strbuf_printf(c, "static const HqRecordDesc %s__result = {\"%s__row\", sizeof(%s), %zu, %s__result_fields};\n",
                      f->sym, f->sym, f->row_type, f->n_out, f->sym);
        result = arena_printf(a, "&%s__result", f->sym);
    } else if (f->row_table) {
        result = arena_printf(a, "&%s__record", f->row_table->sym);
    }
    static const char *const returns[] = {"HQ_RETURNS_VOID", "HQ_RETURNS_SCALAR", "HQ_RETURNS_ROW",
                                          "HQ_RETURNS_SETOF"};
    strbuf_printf(c, "const HqFuncDesc %s__func = {", f->sym);
    cg_cstr(c, f->sql);
    strbuf_printf(c, ", %s%s, %s, %s};\n", f->n_args ? "&" : "NULL", f->n_args ? arena_printf(a, "%s__args", f->sym) : "",
                  result, returns[f->ret]);
    if (f->has_defaults) {
        bool *in = arena_alloc(a, (f->n_args + 1) * sizeof *in);
        for (size_t i = 0; i < f->n_args; i++)
            in[i] = !f->args[i].has_default;
        strbuf_printf(c, "const HqColumnSet %s__required_args = ", f->sym);
        cg_emit_colset(c, in, f->n_args);
        strbuf_puts(c, ";\n");
    }
    strbuf_putc(c, '\n');
}

static void wrapper(const CgPlan *p, const CgFunc *f, StrBuf *c)
{
    HqArena *a = p->a;
    const char *args = f->n_args ? "args" : "NULL";
    const char *provided = f->has_defaults ? arena_printf(a, "provided != NULL ? provided : &%s__required_args", f->sym)
                                           : "NULL";
    if (own_row(f) && f->ret == CG_RET_SETOF)
        cg_emit_trampoline(c, f->row_type, f->row_sym);
    strbuf_printf(c, "HqStatus %s(HqConn *c", f->sym);
    params(c, f);
    strbuf_puts(c, "\n{\n");
    switch (f->ret) {
    case CG_RET_VOID:
        strbuf_printf(c, "    return hq_call(c, &%s__func, %s, %s, NULL, NULL, NULL, err);\n", f->sym, args, provided);
        break;
    case CG_RET_ROW:
        strbuf_printf(c, "    return hq_call(c, &%s__func, %s, %s, out, NULL, NULL, err);\n", f->sym, args, provided);
        break;
    case CG_RET_SCALAR:
        strbuf_printf(c,
                      "    %s__Result r;\n"
                      "    HqStatus st = hq_call(c, &%s__func, %s, %s, &r, NULL, NULL, err);\n"
                      "    if (st != HQ_OK)\n"
                      "        return st;\n"
                      "    if (out_is_null != NULL)\n"
                      "        *out_is_null = r.value_is_null;\n"
                      "    if (out != NULL)\n"
                      "        *out = r.value;\n"
                      "    else\n"
                      "        hq_record_clear(&%s__result, &r, hq_conn_allocator(c));\n"
                      "    return HQ_OK;\n",
                      f->type, f->sym, args, provided, f->sym);
        break;
    case CG_RET_SETOF: {
        const char *scope = f->row_table ? f->row_table->type : f->type;
        strbuf_printf(c,
                      "    %s__Closure cl;\n"
                      "    cl.fn = fn;\n"
                      "    cl.ctx = ctx;\n"
                      "    return hq_call(c, &%s__func, %s, %s, out, fn != NULL ? %s__row_fn : NULL, &cl, err);\n",
                      scope, f->sym, args, provided, f->row_sym);
        break;
    }
    }
    strbuf_puts(c, "}\n\n");
    if (own_row(f))
        strbuf_printf(c,
                      "void %s__row_clear(HqConn *c, %s *row)\n"
                      "{\n"
                      "    hq_record_clear(&%s__result, row, hq_conn_allocator(c));\n"
                      "}\n\n",
                      f->sym, f->row_type, f->sym);
}

void cg_emit_func(const CgPlan *p, const CgFunc *f, StrBuf *h, StrBuf *c)
{
    declare(p, f, h);
    strbuf_printf(c, "/* ---- Function %s */\n\n", f->f->qname);
    descriptors(p, f, c);
    wrapper(p, f, c);
}
