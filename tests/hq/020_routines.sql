-- Routines (modules 020 and 024): routine_next_occurrence, next_run_at maintenance (a fixed
-- defect), the schedule spawner, and event routines on contacts, tasks and collection records.
BEGIN;
SELECT plan(50);

CREATE FUNCTION pg_temp.rn(p_cadence text, p_from timestamptz, p_n int DEFAULT NULL, p_days smallint[] DEFAULT NULL,
                           p_dom smallint DEFAULT NULL, p_time time DEFAULT NULL, p_tz text DEFAULT NULL)
RETURNS timestamptz LANGUAGE sql AS $$
  SELECT routine_next_occurrence(p_cadence, p_n, p_days, p_dom, p_time, p_tz, p_from)
$$;

-- ============================================================ routine_next_occurrence
SELECT is(pg_temp.rn('every_n_minutes', '2025-01-10 10:00+00'), '2025-01-10 10:15+00'::timestamptz,
          'every_n_minutes: default 15 minutes');
SELECT is(pg_temp.rn('every_n_hours', '2025-01-10 10:07+00', 2), '2025-01-10 12:07+00'::timestamptz,
          'every_n_hours n=2: from + 2 hours');
SELECT is(pg_temp.rn('every_n_hours', '2025-01-10 10:07+00'), '2025-01-10 11:07+00'::timestamptz,
          'every_n_hours: default 1 hour');
SELECT is(pg_temp.rn('daily', '2025-01-10 10:00+00'), '2025-01-11 09:00+00'::timestamptz,
          'daily after the slot (default 09:00 UTC): tomorrow');
SELECT is(pg_temp.rn('daily', '2025-01-10 08:00+00'), '2025-01-10 09:00+00'::timestamptz,
          'daily before the slot: today');
SELECT is(pg_temp.rn('daily', '2025-01-10 10:00+00', 5), '2025-01-11 09:00+00'::timestamptz,
          'daily ignores interval_n');
SELECT is(pg_temp.rn('weekdays', '2025-01-10 10:00+00'), '2025-01-13 09:00+00'::timestamptz,
          'weekdays: Friday after the slot -> Monday');
SELECT is(pg_temp.rn('weekly', '2025-01-10 08:00+00'), '2025-01-17 09:00+00'::timestamptz,
          'weekly without days: always today + 7, even with today''s slot still ahead');
SELECT is(pg_temp.rn('weekly', '2025-01-10 10:00+00', NULL, '{1}'), '2025-01-13 09:00+00'::timestamptz,
          'weekly {1} (ISO Monday) from Friday: Monday');
SELECT is(pg_temp.rn('weekly', '2025-01-10 08:00+00', NULL, '{5}'), '2025-01-10 09:00+00'::timestamptz,
          'weekly {5} (Friday) before the slot on a Friday: today');
SELECT is(pg_temp.rn('weekly', '2025-01-10 10:00+00', NULL, '{7}'), '2025-01-12 09:00+00'::timestamptz,
          'weekly {7}: ISO Sunday');
SELECT is(pg_temp.rn('weekly', '2025-01-10 10:00+00', NULL, '{0}'), '2025-01-19 09:00+00'::timestamptz,
          'weekly {0} matches no ISO day: the candidate + 8 days');
SELECT is(pg_temp.rn('monthly', '2025-02-10 10:00+00', NULL, NULL, 31::smallint), '2025-03-03 09:00+00'::timestamptz,
          'spec: monthly day 31 in February rolls over to 2025-03-03');
SELECT is(pg_temp.rn('monthly', '2025-01-10 10:00+00', NULL, NULL, 15::smallint), '2025-01-15 09:00+00'::timestamptz,
          'monthly 15 before the 15th: this month');
SELECT is(pg_temp.rn('monthly', '2025-01-20 10:00+00', NULL, NULL, 15::smallint), '2025-02-15 09:00+00'::timestamptz,
          'monthly 15 after the 15th: next month');
SELECT is(pg_temp.rn('monthly', '2025-02-10 10:00+00', NULL, NULL, (-1)::smallint), '2025-02-27 09:00+00'::timestamptz,
          'monthly -1 lands two days before the 1st (of the next month, no clamping)');
SELECT is(pg_temp.rn('every_n_days', '2025-01-10 10:00+00', 3), '2025-01-13 09:00+00'::timestamptz,
          'every_n_days n=3 after the slot');
SELECT is(pg_temp.rn('every_n_days', '2025-01-10 10:00+00'), '2025-01-11 09:00+00'::timestamptz,
          'every_n_days: default 1');
SELECT is(pg_temp.rn(NULL, '2025-01-10 10:00+00'), '2025-01-11 10:00+00'::timestamptz, 'NULL cadence: from + 1 day');
SELECT is(pg_temp.rn('fortnightly', '2025-01-10 10:00+00'), '2025-01-11 10:00+00'::timestamptz, 'unknown cadence: from + 1 day');
SELECT is(pg_temp.rn('daily', '2025-01-10 07:00+00', NULL, NULL, NULL, '08:30', 'Europe/Paris'), '2025-01-10 07:30+00'::timestamptz,
          'time and zone: 08:30 in Paris is 07:30 UTC');
SELECT is(routine_next_occurrence('every_n_minutes', 1, NULL, NULL, NULL, NULL), now() + interval '1 minute',
          'p_from defaults to now()');

-- ============================================================ deviation: next_run_at maintained
INSERT INTO agents (id, name, slug) VALUES ('a0000000-0000-0000-0000-00000000000a', 'Alpha', 'alpha');
INSERT INTO routines (id, agent_id, agent_slug, name, instruction, trigger_type, cadence_type, interval_n, timezone)
VALUES ('b0000000-0000-0000-0000-000000000001', 'a0000000-0000-0000-0000-00000000000a', 'alpha', 'Hourly check',
        'Check the queue', 'schedule', 'every_n_hours', 1, 'UTC');
SELECT is((SELECT next_run_at FROM routines WHERE id = 'b0000000-0000-0000-0000-000000000001'), now() + interval '1 hour',
          'deviation: inserting a schedule routine sets next_run_at (the original left it NULL)');
UPDATE routines SET interval_n = 3 WHERE id = 'b0000000-0000-0000-0000-000000000001';
SELECT is((SELECT next_run_at FROM routines WHERE id = 'b0000000-0000-0000-0000-000000000001'), now() + interval '3 hours',
          'deviation: changing the schedule recomputes next_run_at');
UPDATE routines SET name = 'Renamed' WHERE id = 'b0000000-0000-0000-0000-000000000001';
SELECT is((SELECT next_run_at FROM routines WHERE id = 'b0000000-0000-0000-0000-000000000001'), now() + interval '3 hours',
          'other updates leave next_run_at alone');
UPDATE routines SET interval_n = 2, next_run_at = '2030-01-01 00:00+00' WHERE id = 'b0000000-0000-0000-0000-000000000001';
SELECT is((SELECT next_run_at FROM routines WHERE id = 'b0000000-0000-0000-0000-000000000001'), '2030-01-01 00:00+00'::timestamptz,
          'an UPDATE that sets next_run_at itself wins');
INSERT INTO routines (id, agent_id, agent_slug, name, trigger_type, cadence_type, timezone, is_active)
VALUES ('b0000000-0000-0000-0000-000000000002', 'a0000000-0000-0000-0000-00000000000a', 'alpha', 'Inactive',
        'schedule', 'daily', 'UTC', false);
SELECT is((SELECT next_run_at FROM routines WHERE id = 'b0000000-0000-0000-0000-000000000002'), NULL::timestamptz,
          'an inactive routine gets no next_run_at');
UPDATE routines SET is_active = true WHERE id = 'b0000000-0000-0000-0000-000000000002';
SELECT is((SELECT next_run_at FROM routines WHERE id = 'b0000000-0000-0000-0000-000000000002'),
          routine_next_occurrence('daily', NULL, NULL, NULL, NULL, 'UTC', now()),
          'deviation: re-activating a routine sets next_run_at');
SELECT throws_ok(
  $$INSERT INTO routines (agent_id, agent_slug, name, trigger_type, cadence_type, timezone)
    VALUES ('a0000000-0000-0000-0000-00000000000a', 'alpha', 'Bad zone', 'schedule', 'daily', 'Mars/Base')$$,
  '23514', NULL, 'an invalid zone is still reported by the CHECK (23514)');
SELECT throws_ok(
  $$INSERT INTO routines (agent_id, agent_slug, name, trigger_type, timezone)
    VALUES ('a0000000-0000-0000-0000-00000000000a', 'alpha', 'No cadence', 'schedule', 'UTC')$$,
  '23514', NULL, 'a schedule routine needs a cadence (routines_schedule_check)');

-- ============================================================ spawn_routine_schedule_items
INSERT INTO routines (id, agent_id, agent_slug, name, instruction, trigger_type, cadence_type, timezone, next_run_at, archived_at)
VALUES ('b0000000-0000-0000-0000-000000000003', 'a0000000-0000-0000-0000-00000000000a', 'alpha', 'Archived',
        'never', 'schedule', 'daily', 'UTC', now() - interval '1 hour', now());
UPDATE routines SET next_run_at = now() - interval '1 minute' WHERE id = 'b0000000-0000-0000-0000-000000000001';
UPDATE routines SET is_active = false, next_run_at = now() - interval '1 minute' WHERE id = 'b0000000-0000-0000-0000-000000000002';

SELECT lives_ok($$SELECT spawn_routine_schedule_items()$$, 'spawn_routine_schedule_items runs');
SELECT results_eq(
  $$SELECT agent_id, agent_slug, event_type::text, status::text, summary, dedup_key, context
      FROM agent_inbox_items WHERE event_type = 'routine_schedule'$$,
  $$VALUES ('a0000000-0000-0000-0000-00000000000a'::uuid, 'alpha', 'routine_schedule', 'pending', 'Check the queue',
            'routine:b0000000-0000-0000-0000-000000000001:' || to_char(now(), 'YYYY-MM-DD-HH24-MI'),
            '{"routine_id": "b0000000-0000-0000-0000-000000000001", "routine_name": "Renamed",
              "instruction": "Check the queue"}'::jsonb)$$,
  'a due routine fires one routine_schedule item (inactive and archived routines do not)');
SELECT results_eq(
  $$SELECT next_run_at, last_run_at, run_count FROM routines WHERE id = 'b0000000-0000-0000-0000-000000000001'$$,
  $$VALUES (now() + interval '2 hours', now(), 1)$$,
  'the routine moves on: next_run_at from now(), last_run_at, run_count');
SELECT spawn_routine_schedule_items();
SELECT is((SELECT count(*)::int FROM agent_inbox_items WHERE event_type = 'routine_schedule'), 1,
          'nothing is due any more');
UPDATE routines SET next_run_at = now() - interval '1 minute' WHERE id = 'b0000000-0000-0000-0000-000000000001';
SELECT spawn_routine_schedule_items();
SELECT results_eq(
  $$SELECT (SELECT count(*)::int FROM agent_inbox_items WHERE event_type = 'routine_schedule'), run_count
      FROM routines WHERE id = 'b0000000-0000-0000-0000-000000000001'$$,
  $$VALUES (1, 2)$$,
  'due again within the same minute: the item is de-duplicated, the run is still counted');

-- ============================================================ contact event routines (020)
INSERT INTO routines (id, agent_id, agent_slug, name, instruction, trigger_type, entity_type, condition, field, value) VALUES
  ('b0000000-0000-0000-0000-000000000010', 'a0000000-0000-0000-0000-00000000000a', 'alpha', 'On create', 'Welcome {name}',
   'event', 'contact', 'created', NULL, NULL),
  ('b0000000-0000-0000-0000-000000000011', 'a0000000-0000-0000-0000-00000000000a', 'alpha', 'Qualified',
   'Follow up {name}: {old_value} -> {new_value}', 'event', 'contact', 'changed_to', 'status', 'qualified'),
  -- evaluated just before the field-less any_change routine (same condition, inserted earlier)
  ('b0000000-0000-0000-0000-000000000015', 'a0000000-0000-0000-0000-00000000000a', 'alpha', 'Status change', 'Status {old_value} -> {new_value}',
   'event', 'contact', 'any_change', 'status', NULL),
  ('b0000000-0000-0000-0000-000000000012', 'a0000000-0000-0000-0000-00000000000a', 'alpha', 'Any change', '',
   'event', 'contact', 'any_change', NULL, NULL),
  ('b0000000-0000-0000-0000-000000000013', 'a0000000-0000-0000-0000-00000000000a', 'alpha', 'Left new', 'Left {old_value}',
   'event', 'contact', 'changed_from', 'status', 'new'),
  ('b0000000-0000-0000-0000-000000000014', 'a0000000-0000-0000-0000-00000000000a', 'alpha', 'Lost', 'Lost',
   'event', 'contact', 'changed_to', 'status', 'lost');
SELECT is((SELECT next_run_at FROM routines WHERE id = 'b0000000-0000-0000-0000-000000000010'), NULL::timestamptz,
          'event routines get no next_run_at');

INSERT INTO contacts (id, name) VALUES ('c0000000-0000-0000-0000-00000000000c', 'Ada');
SELECT results_eq(
  $$SELECT summary, contact_id, context ->> 'routine_name', context ->> 'entity_type', dedup_key
      FROM agent_inbox_items WHERE event_type = 'routine_event'$$,
  $$VALUES ('Welcome Ada', 'c0000000-0000-0000-0000-00000000000c'::uuid, 'On create', 'contact',
            'routine_event:b0000000-0000-0000-0000-000000000010:c0000000-0000-0000-0000-00000000000c:' || to_char(now(), 'YYYY-MM-DD-HH24-MI'))$$,
  'insert: only the created routine fires; {name} substituted');

UPDATE contacts SET status = 'qualified' WHERE id = 'c0000000-0000-0000-0000-00000000000c';
SELECT set_eq(
  $$SELECT context ->> 'routine_name', summary FROM agent_inbox_items WHERE event_type = 'routine_event'
     AND context ->> 'routine_name' <> 'On create'$$,
  $$VALUES ('Qualified', 'Follow up Ada: new -> qualified'), ('Status change', 'Status new -> qualified'),
           ('Any change', 'Any change'), ('Left new', 'Left new')$$,
  'update new -> qualified: changed_to, changed_from and both any_change routines fire (empty instruction: the name)');
SELECT results_eq(
  $$SELECT context -> 'field', context -> 'old_value', context -> 'new_value' FROM agent_inbox_items
     WHERE context ->> 'routine_name' = 'Any change'$$,
  $$VALUES ('null'::jsonb, 'null'::jsonb, 'null'::jsonb)$$,
  'deviation: a field-less match carries no old/new values from the routine evaluated before it');
SELECT results_eq(
  $$SELECT context ->> 'field', context ->> 'old_value', context ->> 'new_value' FROM agent_inbox_items
     WHERE context ->> 'routine_name' = 'Qualified'$$,
  $$VALUES ('status', 'new', 'qualified')$$,
  'changed_to context: field, old and new value');
SELECT is((SELECT run_count FROM routines WHERE id = 'b0000000-0000-0000-0000-000000000014'), 0,
          'changed_to another value does not fire');

UPDATE contacts SET notes = 'met at a conference' WHERE id = 'c0000000-0000-0000-0000-00000000000c';
SELECT results_eq(
  $$SELECT run_count, (SELECT count(*)::int FROM agent_inbox_items WHERE context ->> 'routine_name' = 'Any change')
      FROM routines WHERE id = 'b0000000-0000-0000-0000-000000000012'$$,
  $$VALUES (2, 1)$$,
  'any_change without field fires on every update (counted; the item is de-duplicated per minute)');

INSERT INTO routines (agent_id, agent_slug, name, trigger_type, entity_type, condition, field)
VALUES ('a0000000-0000-0000-0000-00000000000a', 'alpha', 'Broken', 'event', 'contact', 'any_change', 'no_such_column');
SELECT throws_ok($$UPDATE contacts SET notes = 'x' WHERE id = 'c0000000-0000-0000-0000-00000000000c'$$, '42703', NULL,
                 'a routine field that is not a contacts column aborts the write (42703)');
UPDATE routines SET is_active = false WHERE name = 'Broken';

-- ============================================================ task event routines (024)
INSERT INTO routines (id, agent_id, agent_slug, name, instruction, trigger_type, entity_type, condition, field, value) VALUES
  ('b0000000-0000-0000-0000-000000000020', 'a0000000-0000-0000-0000-00000000000a', 'alpha', 'Task done', 'Report {name}',
   'event', 'task', 'changed_to', 'status', 'done'),
  ('b0000000-0000-0000-0000-000000000021', 'a0000000-0000-0000-0000-00000000000a', 'alpha', 'Task created', 'Triage',
   'event', 'task', 'created', NULL, NULL);
INSERT INTO tasks (id, title) VALUES ('7a000000-0000-0000-0000-000000000001', 'Routine task');
SELECT results_eq(
  $$SELECT summary, task_id, context ->> 'entity_type', context ->> 'entity_id', context ->> 'task_title',
           context ->> 'condition', context -> 'old_value'
      FROM agent_inbox_items WHERE context ->> 'routine_name' = 'Task created'$$,
  $$VALUES ('Triage', NULL::uuid, 'task', '7a000000-0000-0000-0000-000000000001', 'Routine task', 'created', 'null'::jsonb)$$,
  'task created routine: item without task_id, the task in the context');
UPDATE tasks SET status = 'done' WHERE id = '7a000000-0000-0000-0000-000000000001';
SELECT results_eq(
  $$SELECT summary, context ->> 'old_value', context ->> 'new_value', context ->> 'routine_instruction'
      FROM agent_inbox_items WHERE context ->> 'routine_name' = 'Task done'$$,
  $$VALUES ('Report {name}', 'todo', 'done', 'Report {name}')$$,
  'task changed_to done: no placeholder substitution for tasks; old and new status');
INSERT INTO tasks (tenant_id, title)
SELECT '00000000-0000-0000-0000-000000000000', 'another';
SELECT is((SELECT run_count FROM routines WHERE id = 'b0000000-0000-0000-0000-000000000021'), 2,
          'each created task fires the created routine');

-- ============================================================ collection record routines (024)
INSERT INTO collection_definitions (id, name, slug) VALUES
  ('cd000000-0000-0000-0000-000000000001', 'Deals', 'deals'),
  ('cd000000-0000-0000-0000-000000000002', 'Other', 'other');
INSERT INTO routines (id, agent_id, agent_slug, name, instruction, trigger_type, entity_type, collection_id, condition, field, value)
VALUES ('b0000000-0000-0000-0000-000000000030', 'a0000000-0000-0000-0000-00000000000a', 'alpha', 'Deal won', 'Celebrate',
        'event', 'collection_record', 'cd000000-0000-0000-0000-000000000001', 'changed_to', 'stage', 'won');
INSERT INTO collection_records (id, collection_id, "values") VALUES
  ('cf000000-0000-0000-0000-000000000001', 'cd000000-0000-0000-0000-000000000001', '{"stage": "open", "amount": 5}'),
  ('cf000000-0000-0000-0000-000000000002', 'cd000000-0000-0000-0000-000000000002', '{"stage": "open"}');
UPDATE collection_records SET "values" = "values" || '{"stage": "won"}';
SELECT results_eq(
  $$SELECT summary, context ->> 'entity_id', context ->> 'collection_id', context ->> 'old_value', context ->> 'new_value'
      FROM agent_inbox_items WHERE context ->> 'routine_name' = 'Deal won'$$,
  $$VALUES ('Celebrate', 'cf000000-0000-0000-0000-000000000001', 'cd000000-0000-0000-0000-000000000001', 'open', 'won')$$,
  'collection record changed_to: read from values ->> field, only records of the routine''s collection');
UPDATE collection_records SET "values" = "values" || '{"amount": 6}' WHERE id = 'cf000000-0000-0000-0000-000000000001';
SELECT is((SELECT run_count FROM routines WHERE id = 'b0000000-0000-0000-0000-000000000030'), 1,
          'another field changing does not fire changed_to');

SELECT results_eq(
  $$SELECT schedule, command FROM cron.job WHERE jobname = 'spawn_routine_schedule_items'$$,
  $$VALUES ('* * * * *', 'SELECT public.spawn_routine_schedule_items()')$$,
  'deviation: the every-minute cron job calls the spawner schema-qualified');

-- Routine items reach plugins as routine.triggered (027).
SELECT is((SELECT count(*)::int FROM hq_plugin_event_queue WHERE event_type = 'routine.triggered'),
          (SELECT count(*)::int FROM agent_inbox_items WHERE event_type IN ('routine_schedule', 'routine_event')),
          'every routine item is queued as a routine.triggered plugin event');

SELECT * FROM finish();
ROLLBACK;
