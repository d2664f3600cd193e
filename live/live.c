/* live.c - hqc apply, status and drift: options, targets, the compiled
 * schema, the fleet run and the report, in that order. */
#include "live/live.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "live/apply.h"
#include "live/drift.h"
#include "live/drift_report.h"
#include "live/fleet.h"
#include "live/options.h"
#include "live/report.h"
#include "live/schema.h"
#include "live/status.h"
#include "live/stop.h"
#include "live/targets.h"

const char live_usage_text[] =
    "\n"
    "live databases (URL: a libpq connection string; none given: $DATABASE_URL):\n"
    "  apply [OPTIONS] SCHEMA_DIR [URL...]   bring each database to the compiled schema: every unit\n"
    "                                        in order, each in its own transaction; a unit already\n"
    "                                        applied with the same SQL (history in hqc.applied) is\n"
    "                                        skipped; one hqc apply per database at a time\n"
    "      --dry-run                         print what would run, change nothing\n"
    "      --force                           run every unit, applied or not\n"
    "      --prune | --no-prune              drop undeclared objects on declared tables (default: prune)\n"
    "      --lock-timeout D, --statement-timeout D, --lock-retries N\n"
    "                                        override project.deploy (D: 3s, 500ms, 10min)\n"
    "      --canary N                        apply to the first N databases first, go on only if all\n"
    "                                        of them converged and hqc drift is clean on them\n"
    "      --max-failures K                  start no new database after K failed\n"
    "  status [OPTIONS] SCHEMA_DIR [URL...]  per database and unit: applied (when, by which hqc),\n"
    "                                        pending, changed since applied, or never recorded\n"
    "  drift [OPTIONS] SCHEMA_DIR [URL...]   compare each database with the compiled schema, object by\n"
    "                                        object, changing nothing: missing, different (both\n"
    "                                        definitions), undeclared, privileges, pending change steps\n"
    "      --sql                             print the statements that would converge it instead\n"
    "      --format markdown                 for pull requests and issues (also text, json)\n"
    "      --lock-timeout D                  how long to wait for a catalog lock (project.deploy)\n"
    "  common: --fleet FILE (one URL per line, # comments), -j N (connections at once, default 4),\n"
    "          --format text|json, --progress | --no-progress (default: on a terminal)\n"
    "  exit status: 0 every database is at the compiled schema, 1 some database is not (failed,\n"
    "  unreachable, interrupted, pending) or the schema has errors, 2 usage or I/O error;\n"
    "  drift: 0 every database matches, 1 one drifted, 2 one could not be compared, the schema\n"
    "  has errors, or usage and I/O errors\n";

bool live_is_command(const char *command)
{
    return !strcmp(command, "apply") || !strcmp(command, "status") || !strcmp(command, "drift");
}

int live_main(int argc, char **argv, const char *hqc_version)
{
    for (int i = 2; i < argc && strcmp(argv[i], "--"); i++)
        if (!strcmp(argv[i], "-h") || !strcmp(argv[i], "--help")) {
            fputs(live_usage_text + 1, stdout);
            return 0;
        }
    LiveOptions o;
    int rc = live_options_parse(argc, argv, &o);
    if (rc) {
        live_options_free(&o);
        return rc;
    }
    LiveTargets targets;
    if ((rc = live_targets_load(&o, &targets))) {
        live_options_free(&o);
        return rc;
    }
    double t0 = live_now();
    LiveSchema schema;
    bool is_apply = o.cmd == LIVE_CMD_APPLY;
    rc = live_schema_load(o.schema_dir, (is_apply && !o.dry_run) || o.cmd == LIVE_CMD_DRIFT, &schema);
    if (rc) {
        /* drift: 1 means "drifted"; a schema that does not compile compares nothing. */
        if (o.cmd == LIVE_CMD_DRIFT)
            rc = 2;
        live_schema_free(&schema);
        live_targets_free(&targets);
        live_options_free(&o);
        return rc;
    }

    LiveJob *jobs = live_jobs_new(&targets, schema.n_units);
    const char **names = calloc(schema.n_units + 1, sizeof *names);
    if (!names)
        abort();
    for (size_t i = 0; i < schema.n_units; i++)
        names[i] = schema.units[i].name;
    LiveApply apply;
    LiveStatus status = {&schema, o.statement_timeout};
    LiveDrift drift;
    live_apply_init(&apply, &schema, &o, hqc_version);
    live_drift_init(&drift, &schema, &o);
    bool is_drift = o.cmd == LIVE_CMD_DRIFT;
    LiveFleet fleet = {
        .jobs = o.jobs,
        .canary = o.canary,
        .max_failures = o.max_failures,
        .progress = o.progress < 0 ? isatty(2) != 0 : o.progress != 0,
        .title = is_apply ? (o.dry_run ? "hqc apply --dry-run" : "hqc apply") : is_drift ? "hqc drift" : "hqc status",
        .unit_names = names,
        .n_units = schema.n_units,
        .fn = is_apply ? live_apply_job : is_drift ? live_drift_job : live_status_job,
        .ctx = is_apply ? (void *)&apply : is_drift ? (void *)&drift : (void *)&status,
        /* A canary has converged when hqc drift finds nothing on it. */
        .canary_check = is_apply && !o.dry_run ? live_drift_canaries : NULL,
        .canary_ctx = &drift,
    };
    live_stop_begin();
    live_fleet_run(&fleet, jobs, targets.n);
    live_stop_end();

    LiveReport report = {o.command, o.schema_dir, hqc_version, &schema, jobs, targets.n, live_now() - t0, o.dry_run};
    if (is_apply)
        live_report_apply(&report, o.format, stdout);
    else if (is_drift)
        live_report_drift(&report, o.format, o.sql, stdout);
    else
        live_report_status(&report, o.format, stdout);
    LiveTally t = live_report_tally(jobs, targets.n);
    rc = t.by_outcome[LIVE_DB_OK] == targets.n ? 0 : 1;
    /* drift: 2 when a database could not be compared. */
    if (is_drift && t.by_outcome[LIVE_DB_OK] + t.by_outcome[LIVE_DB_BEHIND] < targets.n)
        rc = 2;
    if (fflush(stdout) || ferror(stdout)) {
        fprintf(stderr, "hqc: cannot write the report\n");
        rc = 2;
    }

    live_apply_free(&apply);
    free(names);
    live_jobs_free(jobs, targets.n);
    live_schema_free(&schema);
    live_targets_free(&targets);
    live_options_free(&o);
    return rc;
}
