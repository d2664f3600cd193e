/* build_function.c - functions (RPCs and trigger functions) from YAML. */
#include <string.h>

#include "model/build_int.h"

static const char *const function_keys[] = {
    "doc", "args", "returns", "language", "volatility", "security", "search_path", "strict",
    "grants", "revokes", "replaces", "requires", "body", "lint", NULL};
static const char *const platform_function_keys[] = {"doc", "args", "returns", NULL};

static void read_args(Build *b, HqFunction *f, const YNode *args)
{
    static const char *const arg_keys[] = {"type", "default", "mode", NULL};
    static const char *const modes[] = {"in", "out", "inout", "variadic", NULL};
    if (!args || !bu_is_kind(args, YN_MAP, "args"))
        return;
    f->n_args = args->n_pairs;
    f->args = arena_alloc(b->a, (args->n_pairs + 1) * sizeof *f->args);
    bool seen_default = false;
    for (size_t i = 0; i < args->n_pairs; i++) {
        HqArg *a = &f->args[i];
        const YNode *k = args->pairs[i].key, *v = args->pairs[i].value;
        a->name = k->text;
        a->loc = k->loc;
        if (v->kind == YN_SCALAR) {
            bu_type(b, v->text, v->loc, &a->type);
        } else if (bu_keys(v, "argument", arg_keys) && bu_require(v, "type", "argument")) {
            const YNode *t = yaml_get(v, "type");
            bu_type(b, bu_str(b, t, "type"), t->loc, &a->type);
            a->default_sql = bu_sql(b, yaml_get(v, "default"), "default");
            a->mode = (HqArgMode)bu_choice(yaml_get(v, "mode"), "mode", modes, 0);
        }
        if (a->default_sql.text)
            seen_default = true;
        else if (seen_default && a->mode == HQ_ARG_IN)
            diag_error(&k->loc, "argument \"%s\" needs a default: it follows an argument with a default", a->name);
        if (a->type.kind == HQ_TYPE_EXTENSION && a->type.ext->optional)
            f->requires = a->type.ext;
    }
}

static void read_returns(Build *b, HqFunction *f, const YNode *r)
{
    if (!r)
        return;
    if (r->kind == YN_MAP) {
        static const char *const keys[] = {"table", NULL};
        if (!bu_keys(r, "returns", keys) || !bu_require(r, "table", "returns"))
            return;
        const YNode *cols = yaml_get(r, "table");
        if (!bu_is_kind(cols, YN_MAP, "returns table"))
            return;
        f->ret_kind = HQ_RET_TABLE;
        f->n_out = cols->n_pairs;
        f->out = arena_alloc(b->a, (cols->n_pairs + 1) * sizeof *f->out);
        for (size_t i = 0; i < cols->n_pairs; i++) {
            f->out[i].name = cols->pairs[i].key->text;
            f->out[i].loc = cols->pairs[i].key->loc;
            bu_type(b, bu_str(b, cols->pairs[i].value, "column type"), cols->pairs[i].value->loc, &f->out[i].type);
            if (f->out[i].type.kind == HQ_TYPE_EXTENSION && f->out[i].type.ext->optional)
                f->requires = f->out[i].type.ext;
        }
        return;
    }
    const char *text = bu_str(b, r, "returns");
    if (!text)
        return;
    if (!strncmp(text, "setof ", 6)) {
        f->ret_kind = HQ_RET_SETOF;
        text += 6;
        while (*text == ' ')
            text++;
    } else if (!strcmp(text, "trigger")) {
        f->ret_kind = HQ_RET_TRIGGER;
    } else if (!strcmp(text, "void")) {
        f->ret_kind = HQ_RET_VOID;
    } else {
        f->ret_kind = HQ_RET_SCALAR;
    }
    bu_type(b, text, r->loc, &f->ret_type);
    if (f->ret_type.kind == HQ_TYPE_EXTENSION && f->ret_type.ext->optional)
        f->requires = f->ret_type.ext;
}

void build_function(Build *b, const char *name, const YNode *name_node, const YNode *body, bool platform)
{
    HqFunction *f = arena_alloc(b->a, sizeof *f);
    f->name = name;
    f->loc = name_node->loc;
    f->module = b->mod;
    f->platform = platform;
    f->language = "plpgsql";
    f->volatility = 'v';
    if (platform) {
        f->qname = name;
        vec_push(b->a, &b->m->platform_functions, f);
        if (!bu_keys(body, "platform function", platform_function_keys))
            return;
        read_args(b, f, yaml_get(body, "args"));
        read_returns(b, f, yaml_get(body, "returns"));
        f->doc = bu_str(b, yaml_get(body, "doc"), "doc");
        return;
    }
    f->qname = arena_printf(b->a, "%s.%s", b->m->project.schema, name);
    if (!bu_keys(body, "function", function_keys))
        return;
    bu_require(body, "returns", "function");
    bu_require(body, "body", "function");
    f->doc = bu_str(b, yaml_get(body, "doc"), "doc");
    read_args(b, f, yaml_get(body, "args"));
    read_returns(b, f, yaml_get(body, "returns"));
    static const char *const langs[] = {"plpgsql", "sql", NULL};
    static const char *const vols[] = {"volatile", "stable", "immutable", NULL};
    static const char *const secs[] = {"invoker", "definer", NULL};
    f->language = langs[bu_choice(yaml_get(body, "language"), "language", langs, 0)];
    f->volatility = "vsi"[bu_choice(yaml_get(body, "volatility"), "volatility", vols, 0)];
    f->security_definer = bu_choice(yaml_get(body, "security"), "security", secs, 0) == 1;
    f->strict = bu_bool(yaml_get(body, "strict"), "strict", false);
    const YNode *sp = yaml_get(body, "search_path");
    if (sp)
        f->search_path = bu_str(b, sp, "search_path");
    f->grants = bu_str_list(b, yaml_get(body, "grants"), "grants", &f->n_grants);
    f->revokes = bu_str_list(b, yaml_get(body, "revokes"), "revokes", &f->n_revokes);
    f->body = bu_sql(b, yaml_get(body, "body"), "body");
    f->replaces = bu_bool(yaml_get(body, "replaces"), "replaces", false);
    f->lint = bu_lint(b, body, arena_printf(b->a, "function %s", name), NULL, f);
    size_t n_req;
    const YNode *req = yaml_get(body, "requires");
    const char **names = bu_str_list(b, req, "requires", &n_req);
    for (size_t i = 0; i < n_req; i++)
        if (!(f->requires = model_find_extension(b->m, names[i])))
            diag_error(&req->loc, "unknown extension \"%s\"", names[i]);

    HqFunction *old = model_find_function(b->m, name);
    if (old && !f->replaces) {
        diag_error(&name_node->loc, "function \"%s\" is already defined", name);
        diag_note(&old->loc, "first defined here");
        if (old->module != b->mod)
            diag_note(&name_node->loc, "to redefine it in a later module, add \"replaces: true\"");
        return;
    }
    if (!old && f->replaces) {
        diag_error(&yaml_get(body, "replaces")->loc, "function \"%s\" replaces nothing: no earlier module defines it", name);
        f->replaces = false;
    }
    if (old && old->module == b->mod) {
        diag_error(&name_node->loc, "function \"%s\" is defined twice in this module", name);
        diag_note(&old->loc, "first defined here");
        return;
    }
    vec_push(b->a, &b->m->all_functions, f);
    vec_push(b->a, &b->mod->functions, f);
    if (old) {
        f->previous = old;
        old->replaced_by = f;
        /* In place: the final list keeps declaration order. */
        size_t i = vecindex_pos(b->a, &b->m->index->functions, &b->m->functions, offsetof(HqFunction, name), old->name);
        if (i != (size_t)-1 && b->m->functions.items[i] == old)
            b->m->functions.items[i] = f;
    } else {
        vec_push(b->a, &b->m->functions, f);
    }
}
