/* build_lint.c - `lint: { allow: [rule, ...], reason: "..." }`, the declared
 * exceptions to lint rules, read on every object a rule reports on. Whether
 * the rules exist and fire there is the lint stage's business. */
#include "model/build_int.h"

static const char *const lint_keys[] = {"allow", "reason", NULL};

const HqLint *bu_lint(Build *b, const YNode *body, const char *object, const HqTable *table, const void *owner)
{
    const YNode *n = yaml_get(body, "lint");
    if (!n)
        return NULL;
    HqLoc key_loc = n->loc;
    for (size_t i = 0; i < body->n_pairs; i++)
        if (body->pairs[i].value == n)
            key_loc = body->pairs[i].key->loc;
    if (!bu_keys(n, "lint", lint_keys) || !bu_require(n, "allow", "lint"))
        return NULL;
    HqLint *l = arena_alloc(b->a, sizeof *l);
    l->object = object;
    l->table = table;
    l->owner = owner;
    l->module = b->mod;
    l->loc = key_loc;
    const YNode *allow = yaml_get(n, "allow");
    if (allow->kind == YN_SCALAR && !allow->is_null) {
        l->n_allow = 1;
        l->allow = arena_alloc(b->a, sizeof *l->allow);
        l->allow_locs = arena_alloc(b->a, sizeof *l->allow_locs);
        l->allow[0] = allow->text;
        l->allow_locs[0] = allow->loc;
    } else if (bu_is_kind(allow, YN_SEQ, "lint allow")) {
        l->allow = arena_alloc(b->a, (allow->n_items + 1) * sizeof *l->allow);
        l->allow_locs = arena_alloc(b->a, (allow->n_items + 1) * sizeof *l->allow_locs);
        for (size_t i = 0; i < allow->n_items; i++) {
            const char *rule = bu_str(b, allow->items[i], "lint rule");
            if (!rule)
                continue;
            l->allow[l->n_allow] = rule;
            l->allow_locs[l->n_allow++] = allow->items[i]->loc;
        }
    }
    if (!l->n_allow)
        diag_error(&allow->loc, "lint allow needs at least one rule name");
    const YNode *reason = yaml_get(n, "reason");
    if (reason && !reason->is_null && bu_str(b, reason, "lint reason") && *reason->text)
        l->reason = reason->text;
    else if (!reason || reason->kind == YN_SCALAR)
        diag_error(&(reason ? reason : n)->loc, "a lint exception needs a reason: why the finding is acceptable here");
    l->index = b->m->lints.n;
    vec_push(b->a, &b->m->lints, l);
    return l;
}
