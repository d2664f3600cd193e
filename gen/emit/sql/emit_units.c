/* emit_units.c - the migrations in the order they are applied: one unit per
 * file of out/migrations/. `hqc build` writes them, `hqc apply` runs them. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "emit/emit.h"

size_t emit_sql_units(const HqModel *m, EmitUnit **out)
{
    EmitUnit *u = calloc(m->modules.n + 1, sizeof *u);
    if (!u)
        abort();
    size_t n = 0;
    u[n].name = "000_hqc";
    u[n].source = "hqc";
    u[n].sql = emit_sql_runtime(m);
    n++;
    for (size_t i = 0; i < m->modules.n; i++) {
        const HqModule *mod = m->modules.items[i];
        const char *base = strrchr(mod->path, '/');
        u[n].name = mod->name;
        u[n].source = arena_printf(m->arena, "schema/%s", base ? base + 1 : mod->path);
        u[n].module = mod;
        u[n].sql = emit_sql_module(m, mod, u[n].source);
        n++;
    }
    *out = u;
    return n;
}

void emit_sql_units_free(EmitUnit *u, size_t n)
{
    for (size_t i = 0; u && i < n; i++)
        free(u[i].sql);
    free(u);
}
