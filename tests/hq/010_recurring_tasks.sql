-- Recurring task series (module 010): next_occurrence (the spec's examples and more), the
-- task_series sync / validation triggers, spawn_due_task_instances, series model overrides,
-- recurring_tasks_debug.
BEGIN;
SELECT plan(66);

-- next_occurrence on an ad-hoc series row: defaults daily-ish, 09:00 UTC, interval 1.
CREATE FUNCTION pg_temp.nx(p jsonb, p_from timestamptz) RETURNS timestamptz LANGUAGE sql AS $$
  SELECT next_occurrence(
           jsonb_populate_record(NULL::task_series,
             '{"interval_n": 1, "time_of_day": "09:00", "timezone": "UTC", "days_of_week": []}'::jsonb || p),
           p_from)
$$;

-- ============================================================ next_occurrence: the spec's examples
SELECT is(pg_temp.nx('{"cadence_type": "weekly", "days_of_week": [1, 3]}', '2025-01-06 09:00+00'),
          '2025-01-08 09:00+00'::timestamptz, 'spec: weekly {1,3} from Mon 2025-01-06 09:00 -> Wed 2025-01-08 09:00');
SELECT is(pg_temp.nx('{"cadence_type": "monthly", "day_of_month": 31}', '2025-01-31 09:00+00'),
          '2025-02-28 09:00+00'::timestamptz, 'spec: monthly day 31 from 2025-01-31 09:00 -> 2025-02-28 09:00');
SELECT is(pg_temp.nx('{"cadence_type": "every_n_days", "interval_n": 3}', '2025-01-10 09:00+00'),
          '2025-01-13 09:00+00'::timestamptz, 'spec: every_n_days n=3 from 2025-01-10 09:00 -> 2025-01-13 09:00');
SELECT is(pg_temp.nx('{"cadence_type": "every_n_days", "interval_n": 3}', '2025-01-10 08:00+00'),
          '2025-01-10 09:00+00'::timestamptz, 'spec: every_n_days n=3 from 2025-01-10 08:00 -> 2025-01-10 09:00');

-- ============================================================ next_occurrence: each rule
SELECT is(pg_temp.nx('{"cadence_type": "daily"}', '2025-01-10 10:00+00'), '2025-01-11 09:00+00'::timestamptz,
          'daily after the slot: tomorrow');
SELECT is(pg_temp.nx('{"cadence_type": "daily"}', '2025-01-10 08:59:59+00'), '2025-01-10 09:00+00'::timestamptz,
          'daily before the slot: today');
SELECT is(pg_temp.nx('{"cadence_type": "daily", "interval_n": 2}', '2025-01-10 10:00+00'), '2025-01-12 09:00+00'::timestamptz,
          'daily uses interval_n like every_n_days');
SELECT is(pg_temp.nx('{"cadence_type": "weekdays"}', '2025-01-10 10:00+00'), '2025-01-13 09:00+00'::timestamptz,
          'weekdays: Friday after the slot -> Monday');
SELECT is(pg_temp.nx('{"cadence_type": "weekdays"}', '2025-01-11 08:00+00'), '2025-01-13 09:00+00'::timestamptz,
          'weekdays: Saturday -> Monday');
SELECT is(pg_temp.nx('{"cadence_type": "weekdays"}', '2025-01-13 08:00+00'), '2025-01-13 09:00+00'::timestamptz,
          'weekdays: Monday before the slot -> same day');
SELECT is(pg_temp.nx('{"cadence_type": "weekly", "interval_n": 2}', '2025-01-10 10:00+00'), '2025-01-24 09:00+00'::timestamptz,
          'weekly without days: 7 x interval_n days later');
SELECT is(pg_temp.nx('{"cadence_type": "weekly", "interval_n": 2}', '2025-01-10 08:00+00'), '2025-01-10 09:00+00'::timestamptz,
          'weekly without days: today''s slot while still ahead');
SELECT is(pg_temp.nx('{"cadence_type": "weekly", "days_of_week": [0]}', '2025-01-12 10:00+00'), '2025-01-19 09:00+00'::timestamptz,
          'weekly {0} from Sunday after the slot: next Sunday (i = 7 is inclusive)');
SELECT is(pg_temp.nx('{"cadence_type": "weekly", "days_of_week": [5], "interval_n": 2}', '2025-01-10 10:00+00'),
          '2025-01-17 09:00+00'::timestamptz, 'weekly with days: interval_n widens the window but does not skip weeks');
SELECT is(pg_temp.nx('{"cadence_type": "weekly", "days_of_week": [7]}', '2025-01-10 10:00+00'), NULL::timestamptz,
          'weekly with no matching day of week: NULL');
SELECT is(pg_temp.nx('{"cadence_type": "monthly", "day_of_month": -1}', '2024-02-10 09:00+00'), '2024-02-29 09:00+00'::timestamptz,
          'monthly -1: last day of the month (leap year)');
SELECT is(pg_temp.nx('{"cadence_type": "monthly", "day_of_month": -1}', '2024-02-29 09:00+00'), '2024-03-31 09:00+00'::timestamptz,
          'monthly -1 on the last day after the slot: last day of the next month');
SELECT is(pg_temp.nx('{"cadence_type": "monthly", "day_of_month": 15}', '2025-01-20 09:00+00'), '2025-02-15 09:00+00'::timestamptz,
          'monthly 15 after the 15th: next month');
SELECT is(pg_temp.nx('{"cadence_type": "monthly"}', '2025-01-01 08:00+00'), '2025-01-01 09:00+00'::timestamptz,
          'monthly without day: the 1st');
SELECT throws_ok($$SELECT pg_temp.nx('{"cadence_type": "monthly", "day_of_month": 0}', '2025-01-01 08:00+00')$$, '22008', NULL,
                 'monthly day 0 raises 22008');
SELECT throws_ok($$SELECT pg_temp.nx('{"cadence_type": "monthly", "day_of_month": -2}', '2025-01-01 08:00+00')$$, '22008', NULL,
                 'monthly day -2 raises 22008');
SELECT is(pg_temp.nx('{"cadence_type": "daily", "timezone": "America/New_York"}', '2025-01-10 15:00+00'),
          '2025-01-11 14:00+00'::timestamptz, 'time zone: 09:00 New York (EST) is 14:00 UTC');
SELECT is(pg_temp.nx('{"cadence_type": "daily", "timezone": "America/New_York"}', '2025-03-08 15:00+00'),
          '2025-03-09 13:00+00'::timestamptz, 'DST: the next 09:00 New York after the switch is 13:00 UTC');
SELECT is(pg_temp.nx('{"cadence_type": "daily", "timezone": "Asia/Tokyo"}', '2025-01-10 01:00+00'),
          '2025-01-11 00:00+00'::timestamptz, 'the local date decides: 10:00 in Tokyo is already past 09:00');
SELECT throws_ok($$SELECT pg_temp.nx('{"cadence_type": "daily", "timezone": "Mars/Base"}', now())$$, '22023', NULL,
                 'unknown time zone raises 22023');
SELECT throws_ok($$SELECT pg_temp.nx('{"cadence_type": "hourly"}', now())$$, 'P0001', NULL,
                 'unknown cadence raises P0001');

-- ============================================================ sync and validation triggers
INSERT INTO task_series (id, title, cadence_type, timezone, starts_on)
VALUES ('5e000000-0000-0000-0000-000000000001', 'Future series', 'daily', 'UTC', current_date + 10);
SELECT is((SELECT next_occurrence_at FROM task_series WHERE id = '5e000000-0000-0000-0000-000000000001'),
          ((current_date + 10) + time '09:00') AT TIME ZONE 'UTC',
          'insert: the first occurrence is the slot on starts_on');
UPDATE task_series SET time_of_day = '10:30' WHERE id = '5e000000-0000-0000-0000-000000000001';
SELECT is((SELECT next_occurrence_at FROM task_series WHERE id = '5e000000-0000-0000-0000-000000000001'),
          ((current_date + 10) + time '10:30') AT TIME ZONE 'UTC', 'a schedule change recomputes');
UPDATE task_series SET title = 'Renamed', next_occurrence_at = '2030-01-01 00:00+00'
 WHERE id = '5e000000-0000-0000-0000-000000000001';
SELECT is((SELECT next_occurrence_at FROM task_series WHERE id = '5e000000-0000-0000-0000-000000000001'),
          '2030-01-01 00:00+00'::timestamptz, 'other updates keep the value written (the spawner relies on it)');
UPDATE task_series SET is_paused = true WHERE id = '5e000000-0000-0000-0000-000000000001';
SELECT is((SELECT next_occurrence_at FROM task_series WHERE id = '5e000000-0000-0000-0000-000000000001'),
          NULL::timestamptz, 'pausing clears next_occurrence_at');
UPDATE task_series SET is_paused = false WHERE id = '5e000000-0000-0000-0000-000000000001';
SELECT is((SELECT next_occurrence_at FROM task_series WHERE id = '5e000000-0000-0000-0000-000000000001'),
          ((current_date + 10) + time '10:30') AT TIME ZONE 'UTC', 'un-pausing recomputes');
UPDATE task_series SET ends_on = current_date + 5 WHERE id = '5e000000-0000-0000-0000-000000000001';
SELECT results_eq($$SELECT is_paused, next_occurrence_at FROM task_series WHERE id = '5e000000-0000-0000-0000-000000000001'$$,
                  $$VALUES (true, NULL::timestamptz)$$, 'next occurrence after ends_on: the series pauses');

INSERT INTO task_series (id, title, cadence_type, timezone, ends_after_count, spawned_count)
VALUES ('5e000000-0000-0000-0000-000000000002', 'Used up', 'daily', 'UTC', 2, 2);
SELECT results_eq($$SELECT is_paused, next_occurrence_at FROM task_series WHERE id = '5e000000-0000-0000-0000-000000000002'$$,
                  $$VALUES (true, NULL::timestamptz)$$, 'count limit reached: paused');
INSERT INTO task_series (id, title, cadence_type, timezone, is_paused)
VALUES ('5e000000-0000-0000-0000-000000000003', 'Paused', 'daily', 'UTC', true);
SELECT is((SELECT next_occurrence_at FROM task_series WHERE id = '5e000000-0000-0000-0000-000000000003'),
          NULL::timestamptz, 'inserted paused: no next occurrence');

SELECT throws_ok($$INSERT INTO task_series (title, cadence_type, timezone, days_of_week) VALUES ('x', 'weekly', 'UTC', '{1,7}')$$,
                 'P0001', NULL, 'days_of_week above 6 is rejected (P0001)');
SELECT throws_ok($$INSERT INTO task_series (title, cadence_type, timezone, days_of_week) VALUES ('x', 'weekly', 'UTC', '{-1}')$$,
                 'P0001', NULL, 'days_of_week below 0 is rejected');
SELECT lives_ok($$INSERT INTO task_series (title, cadence_type, timezone, days_of_week) VALUES ('x', 'weekly', 'UTC', '{0,6,NULL}')$$,
                'days 0..6 with a NULL element are accepted');
SELECT throws_ok($$INSERT INTO task_series (title, cadence_type, timezone) VALUES ('x', 'daily', 'Mars/Base')$$,
                 '22023', NULL, 'an invalid time zone fails with 22023 (before the CHECK)');
SELECT throws_ok($$INSERT INTO task_series (title, cadence_type, timezone) VALUES ('x', 'hourly', 'UTC')$$,
                 NULL, NULL, 'an unknown cadence is rejected');
SELECT throws_ok($$INSERT INTO task_series (title, cadence_type, timezone, missed_policy) VALUES ('x', 'daily', 'UTC', 'ignore')$$,
                 '23514', NULL, 'missed_policy must be auto_skip or queue');

-- ============================================================ spawn_due_task_instances
INSERT INTO tenants (id, name, slug, status) VALUES
  ('22222222-2222-2222-2222-222222222222', 'Suspended', 'suspended', 'suspended');
INSERT INTO agents (id, name, slug) VALUES ('a0000000-0000-0000-0000-00000000000a', 'Alpha', 'alpha');

-- v0: a due slot three days ago; latest: the last slot not after now(); skipped in between.
CREATE TEMP TABLE e ON COMMIT DROP AS
  SELECT v0, latest, extract(day FROM latest - v0)::int AS skipped
    FROM (SELECT date_trunc('day', now()) + interval '9 hours' - interval '3 days' AS v0,
                 CASE WHEN now() >= date_trunc('day', now()) + interval '9 hours'
                      THEN date_trunc('day', now()) + interval '9 hours'
                      ELSE date_trunc('day', now()) + interval '9 hours' - interval '1 day' END AS latest) s;
GRANT SELECT ON e TO PUBLIC;

INSERT INTO task_series (id, title, description, priority, assignee_type, assignee_agent_id, tags,
                         model_override, cadence_type, timezone, starts_on)
VALUES ('5e000000-0000-0000-0000-000000000010', 'Daily standup', 'Say what you did', 'high', 'agent',
        'a0000000-0000-0000-0000-00000000000a', '{ops}', 'm-series', 'daily', 'UTC', current_date - 30);
INSERT INTO task_series (id, title, cadence_type, timezone, starts_on, missed_policy)
VALUES ('5e000000-0000-0000-0000-000000000011', 'Queued series', 'daily', 'UTC', current_date - 30, 'queue'),
       ('5e000000-0000-0000-0000-000000000012', 'Conflicting series', 'daily', 'UTC', current_date - 30, 'queue');
INSERT INTO task_series (id, title, cadence_type, timezone, starts_on, ends_after_count)
VALUES ('5e000000-0000-0000-0000-000000000013', 'Once', 'daily', 'UTC', current_date - 30, 1);
INSERT INTO task_series (id, tenant_id, title, cadence_type, timezone, starts_on)
VALUES ('5e000000-0000-0000-0000-000000000014', '22222222-2222-2222-2222-222222222222', 'Inactive tenant', 'daily', 'UTC', current_date - 30);

-- Open instances from before.
INSERT INTO tasks (id, title, series_id, series_occurrence_at) VALUES
  ('7a000000-0000-0000-0000-000000000001', 'Daily standup (old)', '5e000000-0000-0000-0000-000000000010', (SELECT v0 - interval '1 day' FROM e)),
  ('7a000000-0000-0000-0000-000000000002', 'Daily standup (older)', '5e000000-0000-0000-0000-000000000010', (SELECT v0 - interval '2 days' FROM e)),
  ('7a000000-0000-0000-0000-000000000003', 'Queued (old)', '5e000000-0000-0000-0000-000000000011', (SELECT v0 - interval '1 day' FROM e)),
  ('7a000000-0000-0000-0000-000000000004', 'Conflicting (existing)', '5e000000-0000-0000-0000-000000000012', (SELECT latest FROM e));

-- Make them due (the sync trigger keeps a written next_occurrence_at).
UPDATE task_series SET next_occurrence_at = (SELECT v0 FROM e)
 WHERE id IN ('5e000000-0000-0000-0000-000000000010', '5e000000-0000-0000-0000-000000000011',
              '5e000000-0000-0000-0000-000000000013', '5e000000-0000-0000-0000-000000000014');
UPDATE task_series SET next_occurrence_at = (SELECT latest FROM e) WHERE id = '5e000000-0000-0000-0000-000000000012';
CREATE TEMP TABLE audit_before ON COMMIT DROP AS SELECT id FROM audit_log;

SELECT lives_ok($$SELECT spawn_due_task_instances()$$, 'spawn_due_task_instances runs');

SELECT results_eq(
  $$SELECT t.title, t.description, t.priority::text, t.assignee_type::text, t.assignee_agent_id, t.tags,
           t.model_override, t.series_occurrence_at, t.due_date, t.tenant_id
      FROM tasks t WHERE t.series_id = '5e000000-0000-0000-0000-000000000010'
       AND t.id NOT IN ('7a000000-0000-0000-0000-000000000001', '7a000000-0000-0000-0000-000000000002')$$,
  $$SELECT 'Daily standup', 'Say what you did', 'high', 'agent', 'a0000000-0000-0000-0000-00000000000a'::uuid,
           '{ops}'::text[], 'm-series', latest, latest, '00000000-0000-0000-0000-000000000000'::uuid FROM e$$,
  'catch-up: one instance, for the latest due occurrence, template fields copied, due_date = occurrence');
SELECT results_eq(
  $$SELECT spawned_count, last_spawned_at, next_occurrence_at, is_paused FROM task_series
     WHERE id = '5e000000-0000-0000-0000-000000000010'$$,
  $$SELECT 1, now(), latest + interval '1 day', false FROM e$$,
  'the series advances: spawned_count 1, last_spawned_at, next occurrence after the spawned one');
SELECT results_eq(
  $$SELECT a.summary, a.action::text, a.actor_type::text, a.module, (a.meta ->> 'catchup_skipped')::int,
           (a.meta ->> 'occurrence_at')::timestamptz, a.meta ->> 'series_id'
      FROM audit_log a JOIN tasks t ON t.id = a.entity_id
     WHERE t.series_id = '5e000000-0000-0000-0000-000000000010' AND a.action = 'created'$$,
  $$SELECT 'Recurring instance spawned: Daily standup', 'created', 'system', 'tasks', skipped, latest,
           '5e000000-0000-0000-0000-000000000010' FROM e$$,
  'audit row for the spawned instance with the number of skipped occurrences');
SELECT results_eq(
  $$SELECT t.status::text, i.event_type::text FROM tasks t JOIN agent_inbox_items i ON i.task_id = t.id
     WHERE t.series_id = '5e000000-0000-0000-0000-000000000010' AND t.series_occurrence_at = (SELECT latest FROM e)$$,
  $$VALUES ('in_progress', 'task_assignment')$$,
  'the spawned instance goes through the task triggers (assignment item, in_progress)');

-- auto_skip: only the most recent open instance is marked missed.
SELECT results_eq(
  $$SELECT id, status::text FROM tasks WHERE id IN ('7a000000-0000-0000-0000-000000000001', '7a000000-0000-0000-0000-000000000002') ORDER BY id$$,
  $$VALUES ('7a000000-0000-0000-0000-000000000001'::uuid, 'missed'), ('7a000000-0000-0000-0000-000000000002'::uuid, 'todo')$$,
  'auto_skip: the most recent open instance becomes missed (one per run)');
SELECT results_eq(
  $$SELECT summary, action::text, meta FROM audit_log WHERE entity_id = '7a000000-0000-0000-0000-000000000001'$$,
  $$VALUES ('Auto-missed: new occurrence spawned before completion', 'status_changed',
            '{"series_id": "5e000000-0000-0000-0000-000000000010", "reason": "recurring_auto_skip"}'::jsonb)$$,
  'auto_skip audit row');
SELECT is((SELECT count(*)::int FROM notifications WHERE type = 'task_overdue' AND entity_id = '7a000000-0000-0000-0000-000000000001'), 1,
          'the auto-missed instance gets a task_overdue notification (032)');

SELECT is((SELECT status::text FROM tasks WHERE id = '7a000000-0000-0000-0000-000000000003'), 'todo',
          'queue policy: the earlier open instance is left alone');
SELECT is((SELECT count(*)::int FROM tasks WHERE series_id = '5e000000-0000-0000-0000-000000000011'), 2,
          'queue policy: a new instance is spawned as well');

SELECT is((SELECT count(*)::int FROM tasks WHERE series_id = '5e000000-0000-0000-0000-000000000012'), 1,
          'an occurrence that already exists is not spawned twice');
SELECT is((SELECT spawned_count FROM task_series WHERE id = '5e000000-0000-0000-0000-000000000012'), 1,
          'spawned_count advances even when the insert hit the conflict');
SELECT is((SELECT count(*)::int FROM audit_log a JOIN tasks t ON t.id = a.entity_id
            WHERE t.series_id = '5e000000-0000-0000-0000-000000000012'), 0,
          'no created audit row for the conflicting occurrence');

SELECT results_eq($$SELECT spawned_count, is_paused, next_occurrence_at FROM task_series WHERE id = '5e000000-0000-0000-0000-000000000013'$$,
                  $$VALUES (1, true, NULL::timestamptz)$$, 'ends_after_count 1: paused after the first instance');
SELECT results_eq($$SELECT spawned_count, next_occurrence_at FROM task_series WHERE id = '5e000000-0000-0000-0000-000000000014'$$,
                  $$SELECT 0, v0 FROM e$$, 'series of a non-active tenant are not spawned');
SELECT is((SELECT count(*)::int FROM tasks WHERE series_id = '5e000000-0000-0000-0000-000000000014'), 0,
          'no task for the non-active tenant');

CREATE TEMP TABLE task_count ON COMMIT DROP AS SELECT count(*) AS n FROM tasks;
SELECT spawn_due_task_instances();
SELECT is((SELECT count(*) FROM tasks), (SELECT n FROM task_count), 'a second run spawns nothing (nothing due)');

-- ============================================================ series model overrides
INSERT INTO task_series (id, title, cadence_type, timezone, thinking_override)
VALUES ('5e000000-0000-0000-0000-000000000020', 'Thinking series', 'daily', 'UTC', 'deep');
INSERT INTO tasks (id, title, series_id) VALUES
  ('7a000000-0000-0000-0000-000000000020', 'plain', '5e000000-0000-0000-0000-000000000010'),
  ('7a000000-0000-0000-0000-000000000021', 'thinking only', '5e000000-0000-0000-0000-000000000020');
INSERT INTO tasks (id, title, series_id, model_override) VALUES
  ('7a000000-0000-0000-0000-000000000022', 'own model', '5e000000-0000-0000-0000-000000000010', 'mine');
SELECT results_eq(
  $$SELECT id, model_override, thinking_override FROM tasks
     WHERE id IN ('7a000000-0000-0000-0000-000000000020', '7a000000-0000-0000-0000-000000000021',
                  '7a000000-0000-0000-0000-000000000022') ORDER BY id$$,
  $$VALUES ('7a000000-0000-0000-0000-000000000020'::uuid, 'm-series', NULL::text),
           ('7a000000-0000-0000-0000-000000000021'::uuid, NULL, 'deep'),
           ('7a000000-0000-0000-0000-000000000022'::uuid, 'mine', NULL)$$,
  'series overrides are copied (both columns) only when the task has neither');

-- ============================================================ completion stamp (sync_task_completion)
UPDATE tasks SET status = 'done', completed_at = '2000-01-01' WHERE id = '7a000000-0000-0000-0000-000000000020';
SELECT is((SELECT completed_at FROM tasks WHERE id = '7a000000-0000-0000-0000-000000000020'), now(),
          'becoming done stamps completed_at = now() (overriding the written value)');
UPDATE tasks SET completed_at = '2000-01-01' WHERE id = '7a000000-0000-0000-0000-000000000020';
SELECT is((SELECT completed_at FROM tasks WHERE id = '7a000000-0000-0000-0000-000000000020'), '2000-01-01'::timestamptz,
          'while done, a written completed_at is kept');
UPDATE tasks SET status = 'todo' WHERE id = '7a000000-0000-0000-0000-000000000020';
SELECT is((SELECT completed_at FROM tasks WHERE id = '7a000000-0000-0000-0000-000000000020'), NULL::timestamptz,
          'leaving done clears completed_at');

-- ============================================================ grants and the debug RPC
SET LOCAL role anon;
SELECT throws_ok($$SELECT spawn_due_task_instances()$$, '42501', NULL,
                 'deviation: anon cannot execute spawn_due_task_instances');
SELECT throws_ok($$SELECT * FROM recurring_tasks_debug()$$, '42501', NULL,
                 'deviation: anon cannot execute recurring_tasks_debug');
RESET role;
SET LOCAL role authenticated;
SET LOCAL request.jwt.claims = '{"app_metadata": {"tenant_id": "00000000-0000-0000-0000-000000000000"}}';
SELECT results_eq(
  $$SELECT title, is_paused, spawned_count, cadence_type, seconds_until_next
      FROM recurring_tasks_debug() WHERE series_id = '5e000000-0000-0000-0000-000000000010'$$,
  $$SELECT 'Daily standup', false, 1, 'daily',
           extract(epoch FROM (latest + interval '1 day' - now()))::double precision FROM e$$,
  'recurring_tasks_debug: schedule state and seconds until the next occurrence');
SELECT is((SELECT count(*)::int FROM recurring_tasks_debug() WHERE title = 'Inactive tenant'), 0,
          'recurring_tasks_debug lists only the caller''s tenant');
SELECT is((SELECT seconds_until_next FROM recurring_tasks_debug() WHERE title = 'Once'), NULL::double precision,
          'no next occurrence: seconds_until_next NULL');
RESET role;

SELECT * FROM finish();
ROLLBACK;
