/* fuzz_load.c - libFuzzer harness: the YAML loader and the model builder on
 * one module file (the input), next to a fixed _project.yaml and
 * _traits.yaml that give it roles, domains, platform objects and traits to
 * refer to. Crashes, sanitizer reports and leaks are findings; diagnostics
 * are not. */
#include "fuzz_common.h"

static const char project[] =
    "project:\n"
    "  name: fuzz\n"
    "  realtime_publication: supabase_realtime\n"
    "  version_table: schema_version\n"
    "  roles: { anon: Anonymous., authenticated: Signed in., service_role: Back office. }\n"
    "  domains: { core: { title: Core }, misc: }\n"
    "platform:\n"
    "  schemas: [auth, storage]\n"
    "  tables:\n"
    "    auth.users: { columns: { id: uuid, email: text } }\n"
    "  functions:\n"
    "    auth.uid: { returns: uuid }\n";

static const char traits[] =
    "traits:\n"
    "  created:\n"
    "    columns:\n"
    "      created_at: { type: timestamptz, not_null: true, default: now() }\n"
    "  owned:\n"
    "    params: { policy: \"{table} owner\" }\n"
    "    traits: [created]\n"
    "    columns:\n"
    "      owner_id: { type: uuid, references: { table: auth.users, on_delete: cascade } }\n"
    "    indexes:\n"
    "      \"{table}_owner_idx\": { key: [owner_id] }\n"
    "    rls: enabled\n"
    "    policies:\n"
    "      \"{policy}\": { to: [authenticated], using: owner_id = auth.uid() }\n";

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    const char *dir = fuzz_dir("old");
    fuzz_write_one(dir, "001_fuzz.yaml", data, size);
    fuzz_write_text(dir, "_project.yaml", project);
    fuzz_write_text(dir, "_traits.yaml", traits);
    HqArena *a = fuzz_begin();
    HqModel m;
    fuzz_build(a, dir, &m, false);
    fuzz_end(a);
    return 0;
}
