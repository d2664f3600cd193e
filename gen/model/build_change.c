/* build_change.c - a module's `changes:`: explicit steps for databases
 * built by older versions of the schema (renames, type changes, drops, data
 * moves). Each list item is a mapping with exactly one kind key whose value
 * names the old object, plus the options of that kind. */
#include <string.h>

#include "model/build_int.h"

typedef enum { SUBJ_NAME, SUBJ_DOTTED, SUBJ_FIRST_DOT, SUBJ_FUNCTION, SUBJ_SQL } SubjectShape;

/* The keys each kind accepts: its own (naming the old object), its options,
 * doc and at. */
static const char *const rename_table_keys[] = {"rename_table", "to", "doc", "at", "lint", NULL};
static const char *const rename_column_keys[] = {"rename_column", "to", "doc", "at", "lint", NULL};
static const char *const rename_value_keys[] = {"rename_value", "to", "doc", "at", "lint", NULL};
static const char *const rename_function_keys[] = {"rename_function", "to", "doc", "at", "lint", NULL};
static const char *const rename_type_keys[] = {"rename_type", "to", "doc", "at", "lint", NULL};
static const char *const recreate_enum_keys[] = {"recreate_enum", "map", "doc", "at", "lint", NULL};
static const char *const change_type_keys[] = {"change_type", "using", "doc", "at", "lint", NULL};
static const char *const drop_table_keys[] = {"drop_table", "move", "doc", "at", "lint", NULL};
static const char *const drop_column_keys[] = {"drop_column", "move", "doc", "at", "lint", NULL};
static const char *const drop_function_keys[] = {"drop_function", "doc", "at", "lint", NULL};
static const char *const drop_type_keys[] = {"drop_type", "doc", "at", "lint", NULL};
static const char *const drop_constraint_keys[] = {"drop_constraint", "doc", "at", "lint", NULL};
static const char *const drop_index_keys[] = {"drop_index", "doc", "at", "lint", NULL};
static const char *const drop_trigger_keys[] = {"drop_trigger", "doc", "at", "lint", NULL};
static const char *const drop_policy_keys[] = {"drop_policy", "on", "doc", "at", "lint", NULL};
static const char *const sql_keys[] = {"sql", "when", "doc", "at", "lint", NULL};

typedef struct {
    HqChangeKind kind;
    SubjectShape shape;
    const char *const *keys;        /* keys[0] is the kind; then its options */
} ChangeSpec;

static const ChangeSpec specs[] = {
    {HQ_CHG_RENAME_TABLE, SUBJ_NAME, rename_table_keys},
    {HQ_CHG_RENAME_COLUMN, SUBJ_DOTTED, rename_column_keys},
    {HQ_CHG_RENAME_VALUE, SUBJ_FIRST_DOT, rename_value_keys},
    {HQ_CHG_RENAME_FUNCTION, SUBJ_FUNCTION, rename_function_keys},
    {HQ_CHG_RENAME_TYPE, SUBJ_NAME, rename_type_keys},
    {HQ_CHG_RECREATE_ENUM, SUBJ_NAME, recreate_enum_keys},
    {HQ_CHG_CHANGE_TYPE, SUBJ_DOTTED, change_type_keys},
    {HQ_CHG_DROP_TABLE, SUBJ_NAME, drop_table_keys},
    {HQ_CHG_DROP_COLUMN, SUBJ_DOTTED, drop_column_keys},
    {HQ_CHG_DROP_FUNCTION, SUBJ_FUNCTION, drop_function_keys},
    {HQ_CHG_DROP_TYPE, SUBJ_NAME, drop_type_keys},
    {HQ_CHG_DROP_CONSTRAINT, SUBJ_DOTTED, drop_constraint_keys},
    {HQ_CHG_DROP_INDEX, SUBJ_NAME, drop_index_keys},
    {HQ_CHG_DROP_TRIGGER, SUBJ_DOTTED, drop_trigger_keys},
    {HQ_CHG_DROP_POLICY, SUBJ_NAME, drop_policy_keys},
    {HQ_CHG_SQL, SUBJ_SQL, sql_keys},
};

static const ChangeSpec *find_spec(const YNode *item, const YNode **key)
{
    const ChangeSpec *found = NULL;
    for (size_t i = 0; i < item->n_pairs; i++)
        for (size_t k = 0; k < sizeof specs / sizeof specs[0]; k++)
            if (!strcmp(item->pairs[i].key->text, specs[k].keys[0])) {
                if (found) {
                    diag_error(&item->pairs[i].key->loc, "a change has one kind; \"%s\" and \"%s\" are two",
                               found->keys[0], specs[k].keys[0]);
                    return NULL;
                }
                found = &specs[k];
                *key = item->pairs[i].key;
            }
    if (!found)
        diag_error(&item->loc, "a change needs its kind: rename_table, rename_column, rename_value, "
                               "rename_function, rename_type, recreate_enum, change_type, drop_table, drop_column, "
                               "drop_function, drop_type, drop_constraint, drop_index, drop_trigger, drop_policy or sql");
    return found;
}

static bool is_identifier(const char *s, size_t n)
{
    if (!n)
        return false;
    for (size_t i = 0; i < n; i++) {
        char c = s[i];
        if (!((c >= 'a' && c <= 'z') || c == '_' || (i && c >= '0' && c <= '9') || (i && c == '$')))
            return false;
    }
    return true;
}

/* Splits the subject into table / name / args by the kind's shape. */
static bool split_subject(Build *b, HqChange *c, SubjectShape shape, const YNode *n)
{
    const char *s = c->subject;
    switch (shape) {
    case SUBJ_SQL:
        return true;
    case SUBJ_NAME:
        c->name = s;
        return true;
    case SUBJ_DOTTED:
    case SUBJ_FIRST_DOT: {
        const char *dot = shape == SUBJ_DOTTED ? strrchr(s, '.') : strchr(s, '.');
        if (!dot || dot == s || !dot[1]) {
            diag_error(&n->loc, "%s needs \"%s\" in the form %s", c->key, s,
                       c->kind == HQ_CHG_RENAME_VALUE ? "enum.value" : c->kind == HQ_CHG_DROP_CONSTRAINT ? "table.constraint"
                       : c->kind == HQ_CHG_DROP_TRIGGER ? "table.trigger" : "table.column");
            return false;
        }
        c->table = arena_strndup(b->a, s, (size_t)(dot - s));
        c->name = dot + 1;
        return true;
    }
    case SUBJ_FUNCTION: {
        const char *paren = strchr(s, '(');
        size_t len = strlen(s);
        if (!paren || !is_identifier(s, (size_t)(paren - s)) || s[len - 1] != ')') {
            diag_error(&n->loc, "%s needs the old function with its argument types, e.g. \"%s(integer, text)\"",
                       c->key, paren ? "name" : s);
            return false;
        }
        c->name = arena_strndup(b->a, s, (size_t)(paren - s));
        c->args = paren;
        return true;
    }
    }
    return false;
}

static void read_map(Build *b, HqChange *c, const YNode *map)
{
    if (!map || !bu_is_kind(map, YN_MAP, "map"))
        return;
    c->n_map = map->n_pairs;
    c->map = arena_alloc(b->a, (map->n_pairs + 1) * sizeof *c->map);
    for (size_t i = 0; i < map->n_pairs; i++) {
        c->map[i].from = map->pairs[i].key->text;
        c->map[i].to = bu_str(b, map->pairs[i].value, "map value");
    }
}

static void read_change(Build *b, const YNode *item)
{
    if (!bu_is_kind(item, YN_MAP, "change"))
        return;
    const YNode *key = NULL;
    const ChangeSpec *sp = find_spec(item, &key);
    if (!sp)
        return;
    const char *key_name = sp->keys[0];
    if (!bu_keys(item, "change", sp->keys))
        return;
    HqChange *c = arena_alloc(b->a, sizeof *c);
    c->kind = sp->kind;
    c->key = key_name;
    c->module = b->mod;
    c->loc = key->loc;
    c->doc = bu_str(b, yaml_get(item, "doc"), "doc");
    const YNode *subject = yaml_get(item, key_name);
    if (sp->shape == SUBJ_SQL) {
        c->sql = bu_sql(b, subject, "sql");
        c->subject = c->sql.text;
        if (bu_require(item, "when", "sql change"))
            c->when = bu_sql(b, yaml_get(item, "when"), "when");
    } else {
        c->subject = bu_str(b, subject, key_name);
        if (!c->subject || !*c->subject) {
            diag_error(&subject->loc, "%s needs the name of the old object", key_name);
            return;
        }
        if (!split_subject(b, c, sp->shape, subject))
            return;
    }
    if (sp->keys[1] && !strcmp(sp->keys[1], "to") && bu_require(item, "to", key_name)) {
        c->to = bu_str(b, yaml_get(item, "to"), "to");
        if (c->to && !*c->to)
            diag_error(&yaml_get(item, "to")->loc, "to must not be empty");
    }
    if (c->kind == HQ_CHG_CHANGE_TYPE && bu_require(item, "using", "change_type"))
        c->using_sql = bu_sql(b, yaml_get(item, "using"), "using");
    if (c->kind == HQ_CHG_RECREATE_ENUM)
        read_map(b, c, yaml_get(item, "map"));
    if (yaml_get(item, "move"))
        c->sql = bu_sql(b, yaml_get(item, "move"), "move");
    if (c->kind == HQ_CHG_DROP_POLICY && bu_require(item, "on", "drop_policy")) {
        const YNode *on = yaml_get(item, "on");
        if (on->kind == YN_SCALAR) {
            c->n_tables = 1;
            c->tables = arena_alloc(b->a, sizeof *c->tables);
            c->tables[0] = bu_str(b, on, "on");
        } else {
            c->tables = bu_str_list(b, on, "on", &c->n_tables);
        }
    }
    /* A data move runs once the module's objects exist; `at` moves it. */
    static const char *const phases[] = {"start", "end", NULL};
    c->at_end = bu_choice(yaml_get(item, "at"), "at", phases, c->sql.text ? 1 : 0) == 1;
    c->lint = bu_lint(b, item, arena_printf(b->a, "change %s %s (%s)", key_name, c->kind == HQ_CHG_SQL ? "step" : c->subject, b->mod->name), NULL, c);
    vec_push(b->a, &b->mod->changes, c);
    vec_push(b->a, &b->m->changes, c);
}

void build_changes(Build *b, const YNode *list)
{
    if (!list || !bu_is_kind(list, YN_SEQ, "changes"))
        return;
    for (size_t i = 0; i < list->n_items; i++)
        read_change(b, list->items[i]);
}
