-- Overdue escalation (module 031) and the task-overdue notification trigger (032).
BEGIN;
SELECT plan(22);

INSERT INTO tenants (id, name, slug, status) VALUES
  ('22222222-2222-2222-2222-222222222222', 'Suspended', 'suspended', 'suspended');
INSERT INTO agents (id, name, slug) VALUES
  ('a0000000-0000-0000-0000-0000000000aa', 'Manager', 'mgr'),
  ('a0000000-0000-0000-0000-0000000000bb', 'Dev', 'dev'),
  ('a0000000-0000-0000-0000-0000000000cc', 'Solo', 'solo');
UPDATE agents SET reports_to_id = 'a0000000-0000-0000-0000-0000000000aa' WHERE slug = 'dev';

-- due_date < CURRENT_DATE is overdue; due today is not.
INSERT INTO tasks (id, tenant_id, title, status, due_date, assignee_agent_id, archived_at) VALUES
  ('7a000000-0000-0000-0000-000000000001', '00000000-0000-0000-0000-000000000000', 'Assigned late', 'todo', current_date - 1, 'a0000000-0000-0000-0000-0000000000bb', NULL),
  ('7a000000-0000-0000-0000-000000000002', '00000000-0000-0000-0000-000000000000', 'Unassigned late', 'todo', current_date - 3, NULL, NULL),
  ('7a000000-0000-0000-0000-000000000003', '00000000-0000-0000-0000-000000000000', 'Due today', 'todo', current_date, NULL, NULL),
  ('7a000000-0000-0000-0000-000000000004', '00000000-0000-0000-0000-000000000000', 'Done late', 'done', current_date - 1, NULL, NULL),
  ('7a000000-0000-0000-0000-000000000005', '00000000-0000-0000-0000-000000000000', 'Archived late', 'todo', current_date - 1, NULL, now()),
  ('7a000000-0000-0000-0000-000000000006', '22222222-2222-2222-2222-222222222222', 'Suspended tenant late', 'todo', current_date - 1, NULL, NULL),
  ('7a000000-0000-0000-0000-000000000007', '00000000-0000-0000-0000-000000000000', 'Solo late', 'blocked', current_date - 2, 'a0000000-0000-0000-0000-0000000000cc', NULL),
  ('7a000000-0000-0000-0000-000000000008', '00000000-0000-0000-0000-000000000000', 'Cancelled late', 'cancelled', current_date - 1, NULL, NULL),
  ('7a000000-0000-0000-0000-000000000009', '00000000-0000-0000-0000-000000000000', 'No due date', 'todo', NULL, NULL, NULL);

SET LOCAL role service_role;
SELECT lives_ok($$SELECT escalate_overdue_tasks()$$, 'escalate_overdue_tasks runs as service_role');
RESET role;

SELECT set_eq(
  $$SELECT id FROM tasks WHERE status = 'missed'$$,
  $$VALUES ('7a000000-0000-0000-0000-000000000001'::uuid), ('7a000000-0000-0000-0000-000000000002'::uuid),
           ('7a000000-0000-0000-0000-000000000007'::uuid)$$,
  'open, non-archived tasks of active tenants due before today become missed');
SELECT results_eq(
  $$SELECT status::text FROM tasks WHERE id IN ('7a000000-0000-0000-0000-000000000003', '7a000000-0000-0000-0000-000000000004',
     '7a000000-0000-0000-0000-000000000005', '7a000000-0000-0000-0000-000000000006', '7a000000-0000-0000-0000-000000000008')
     ORDER BY id$$,
  $$VALUES ('todo'), ('done'), ('todo'), ('todo'), ('cancelled')$$,
  'due today, done, archived, other-tenant-suspended and cancelled tasks are left alone');

SELECT results_eq(
  $$SELECT agent_slug, event_type::text, summary, dedup_key, context
      FROM agent_inbox_items WHERE task_id = '7a000000-0000-0000-0000-000000000001' AND dedup_key LIKE 'overdue:%'$$,
  $$VALUES ('dev', 'task_assignment', 'OVERDUE: Task missed deadline — Assigned late',
            'overdue:7a000000-0000-0000-0000-000000000001:' || to_char(current_date, 'YYYY-MM-DD'),
            jsonb_build_object('task_title', 'Assigned late', 'due_date', (current_date - 1)::timestamptz, 'escalation', true))$$,
  'the assignee gets an OVERDUE item');
SELECT results_eq(
  $$SELECT agent_slug, summary, dedup_key, context ->> 'overdue_agent_id', context ->> 'overdue_agent_name',
           (context ->> 'escalation')::boolean
      FROM agent_inbox_items WHERE dedup_key LIKE 'overdue_escalation:%'$$,
  $$VALUES ('mgr', 'ESCALATION: Dev missed deadline on — Assigned late',
            'overdue_escalation:7a000000-0000-0000-0000-000000000001:a0000000-0000-0000-0000-0000000000aa:' || to_char(current_date, 'YYYY-MM-DD'),
            'a0000000-0000-0000-0000-0000000000bb', 'Dev', true)$$,
  'the manager gets an ESCALATION item (only for assignees with a manager)');
SELECT is((SELECT count(*)::int FROM agent_inbox_items WHERE task_id = '7a000000-0000-0000-0000-000000000007'
            AND dedup_key LIKE 'overdue%'), 1,
          'an assignee without manager: only the OVERDUE item');
SELECT is((SELECT count(*)::int FROM agent_inbox_items WHERE task_id = '7a000000-0000-0000-0000-000000000002'), 0,
          'an unassigned task: no inbox item');
SELECT set_eq(
  $$SELECT entity_id FROM audit_log WHERE summary = 'Task auto-escalated: missed deadline'
      AND action = 'status_changed' AND actor_type = 'system' AND module = 'tasks' AND entity_type = 'task'$$,
  $$VALUES ('7a000000-0000-0000-0000-000000000001'::uuid), ('7a000000-0000-0000-0000-000000000007'::uuid)$$,
  'an audit row for every escalated assigned task (none for unassigned ones)');

-- 032: the status trigger notifies every task that became missed.
SELECT results_eq(
  $$SELECT title, body, entity_type, actor_type::text, actor_agent_id, meta ->> 'agent_name', meta ->> 'task_title'
      FROM notifications WHERE type = 'task_overdue' AND entity_id = '7a000000-0000-0000-0000-000000000001'$$,
  $$VALUES ('Task overdue: Assigned late',
            'Assigned to Dev — deadline was ' || ((current_date - 1)::timestamptz)::text,
            'task', 'system', 'a0000000-0000-0000-0000-0000000000bb'::uuid, 'Dev', 'Assigned late')$$,
  'task_overdue notification with the assignee and the deadline');
SELECT results_eq(
  $$SELECT body, actor_agent_id, meta -> 'agent_name' FROM notifications
     WHERE type = 'task_overdue' AND entity_id = '7a000000-0000-0000-0000-000000000002'$$,
  $$VALUES ('Deadline was ' || ((current_date - 3)::timestamptz)::text, NULL::uuid, 'null'::jsonb)$$,
  'task_overdue notification of an unassigned task');
SELECT is((SELECT count(*)::int FROM notifications WHERE type = 'task_overdue'), 3, 'one notification per missed task');

-- A second run the same day changes nothing.
CREATE TEMP TABLE counts ON COMMIT DROP AS
  SELECT (SELECT count(*) FROM agent_inbox_items) AS items, (SELECT count(*) FROM audit_log) AS audits,
         (SELECT count(*) FROM notifications) AS notes;
SELECT escalate_overdue_tasks();
SELECT results_eq(
  $$SELECT (SELECT count(*) FROM agent_inbox_items), (SELECT count(*) FROM audit_log), (SELECT count(*) FROM notifications)$$,
  $$SELECT items, audits, notes FROM counts$$,
  'a second run finds nothing to escalate');

-- A task re-opened after being missed is escalated again, but the inbox items are once per day.
UPDATE tasks SET status = 'in_progress' WHERE id = '7a000000-0000-0000-0000-000000000001';
SELECT escalate_overdue_tasks();
SELECT is((SELECT status::text FROM tasks WHERE id = '7a000000-0000-0000-0000-000000000001'), 'missed',
          'a re-opened overdue task is marked missed again');
SELECT is((SELECT count(*)::int FROM agent_inbox_items WHERE task_id = '7a000000-0000-0000-0000-000000000001'
            AND dedup_key LIKE 'overdue%'), 2,
          'inbox items are de-duplicated per task (and manager) and day');
SELECT is((SELECT count(*)::int FROM audit_log WHERE entity_id = '7a000000-0000-0000-0000-000000000001'
            AND summary = 'Task auto-escalated: missed deadline'), 2,
          'the audit row is written on every escalation');
SELECT is((SELECT count(*)::int FROM notifications WHERE type = 'task_overdue' AND entity_id = '7a000000-0000-0000-0000-000000000001'), 2,
          'and the overdue notification fires on every transition into missed');

-- 032 trigger on its own.
UPDATE tasks SET status = 'missed' WHERE id = '7a000000-0000-0000-0000-000000000009';
SELECT results_eq(
  $$SELECT title, body FROM notifications WHERE type = 'task_overdue' AND entity_id = '7a000000-0000-0000-0000-000000000009'$$,
  $$VALUES ('Task overdue: No due date', 'Deadline was unknown')$$,
  'missed without due date: "Deadline was unknown"');
UPDATE tasks SET status = 'missed', title = 'Still missed' WHERE id = '7a000000-0000-0000-0000-000000000009';
SELECT is((SELECT count(*)::int FROM notifications WHERE type = 'task_overdue' AND entity_id = '7a000000-0000-0000-0000-000000000009'), 1,
          'missed -> missed does not notify again');
UPDATE tasks SET status = 'blocked' WHERE id = '7a000000-0000-0000-0000-000000000003';
SELECT is((SELECT count(*)::int FROM notifications WHERE type = 'task_overdue' AND entity_id = '7a000000-0000-0000-0000-000000000003'), 0,
          'other status changes do not notify');

-- Grants.
SET LOCAL role anon;
SELECT throws_ok($$SELECT escalate_overdue_tasks()$$, '42501', NULL, 'anon cannot execute escalate_overdue_tasks');
RESET role;

-- The session time zone decides what "before today" means (pg_cron runs in UTC).
SET LOCAL timezone = 'Pacific/Kiritimati';   -- UTC+14: CURRENT_DATE may already be tomorrow
UPDATE tasks SET status = 'todo', due_date = (now() AT TIME ZONE 'Pacific/Kiritimati')::date - interval '1 second'
 WHERE id = '7a000000-0000-0000-0000-000000000003';
-- due one second before local midnight of today: overdue in this zone.
SELECT escalate_overdue_tasks();
SELECT is((SELECT status::text FROM tasks WHERE id = '7a000000-0000-0000-0000-000000000003'), 'missed',
          'due one second before today''s local midnight: overdue');
RESET timezone;

SELECT is((SELECT count(*)::int FROM cron.job WHERE jobname = 'escalate-overdue-tasks' AND schedule = '*/5 * * * *'), 1,
          'the escalate-overdue-tasks cron job runs every 5 minutes');

SELECT * FROM finish();
ROLLBACK;
