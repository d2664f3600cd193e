-- Task relations (module 028): get_task_relations and the blocker-resolved inbox items.
BEGIN;
SELECT plan(19);

INSERT INTO tenants (id, name, slug) VALUES ('22222222-2222-2222-2222-222222222222', 'Other', 'other');
INSERT INTO agents (id, name, slug) VALUES
  ('a0000000-0000-0000-0000-00000000000a', 'Alpha', 'alpha'),
  ('a0000000-0000-0000-0000-00000000000b', 'Bravo', 'bravo');
-- B is blocked by X and Y; B2 is blocked by M (missed) and Z; B3 (unassigned) by W; B4 (archived) by V.
INSERT INTO tasks (id, title, status, assignee_agent_id, archived_at) VALUES
  ('7a000000-0000-0000-0000-0000000000b1', 'Blocked work', 'blocked', NULL, NULL),
  ('7a000000-0000-0000-0000-0000000000c1', 'Blocker X', 'in_progress', NULL, NULL),
  ('7a000000-0000-0000-0000-0000000000c2', 'Blocker Y', 'todo', NULL, NULL),
  ('7a000000-0000-0000-0000-0000000000b2', 'Second blocked', 'todo', NULL, NULL),
  ('7a000000-0000-0000-0000-0000000000c3', 'Missed blocker', 'missed', NULL, NULL),
  ('7a000000-0000-0000-0000-0000000000c4', 'Blocker Z', 'todo', NULL, NULL),
  ('7a000000-0000-0000-0000-0000000000b3', 'Unassigned blocked', 'todo', NULL, NULL),
  ('7a000000-0000-0000-0000-0000000000c5', 'Blocker W', 'todo', NULL, NULL),
  ('7a000000-0000-0000-0000-0000000000b4', 'Archived blocked', 'todo', NULL, now()),
  ('7a000000-0000-0000-0000-0000000000c6', 'Blocker V', 'todo', NULL, NULL);
-- Assign after insert, then restore the status the assignment trigger moved to in_progress.
UPDATE tasks SET assignee_agent_id = 'a0000000-0000-0000-0000-00000000000a'
 WHERE id IN ('7a000000-0000-0000-0000-0000000000b1', '7a000000-0000-0000-0000-0000000000b2', '7a000000-0000-0000-0000-0000000000b4');
UPDATE tasks SET assignee_agent_id = 'a0000000-0000-0000-0000-00000000000b' WHERE id = '7a000000-0000-0000-0000-0000000000c1';
UPDATE tasks SET status = 'blocked' WHERE id IN ('7a000000-0000-0000-0000-0000000000b1', '7a000000-0000-0000-0000-0000000000b2');

INSERT INTO task_relations (id, source_task_id, target_task_id, relation_type, created_at) VALUES
  ('d0000000-0000-0000-0000-000000000001', '7a000000-0000-0000-0000-0000000000b1', '7a000000-0000-0000-0000-0000000000c1', 'blocked_by', now() - interval '2 min'),
  ('d0000000-0000-0000-0000-000000000002', '7a000000-0000-0000-0000-0000000000b1', '7a000000-0000-0000-0000-0000000000c2', 'blocked_by', now() - interval '1 min'),
  ('d0000000-0000-0000-0000-000000000003', '7a000000-0000-0000-0000-0000000000b2', '7a000000-0000-0000-0000-0000000000c3', 'blocked_by', now()),
  ('d0000000-0000-0000-0000-000000000004', '7a000000-0000-0000-0000-0000000000b2', '7a000000-0000-0000-0000-0000000000c4', 'blocked_by', now()),
  ('d0000000-0000-0000-0000-000000000005', '7a000000-0000-0000-0000-0000000000b3', '7a000000-0000-0000-0000-0000000000c5', 'blocked_by', now()),
  ('d0000000-0000-0000-0000-000000000006', '7a000000-0000-0000-0000-0000000000b4', '7a000000-0000-0000-0000-0000000000c6', 'blocked_by', now()),
  -- X also "blocks" Z (stated from X's side), and relates to B2.
  ('d0000000-0000-0000-0000-000000000007', '7a000000-0000-0000-0000-0000000000c1', '7a000000-0000-0000-0000-0000000000c4', 'blocks', now()),
  ('d0000000-0000-0000-0000-000000000008', '7a000000-0000-0000-0000-0000000000b2', '7a000000-0000-0000-0000-0000000000c1', 'relates_to', now());

-- ============================================================ get_task_relations
SELECT set_eq(
  $$SELECT relation_id, relation_type::text, direction, related_task_id, related_title, related_status::text, related_assignee_name
      FROM get_task_relations('7a000000-0000-0000-0000-0000000000b1')$$,
  $$VALUES ('d0000000-0000-0000-0000-000000000001'::uuid, 'blocked_by', 'outgoing', '7a000000-0000-0000-0000-0000000000c1'::uuid,
            'Blocker X', 'in_progress', 'Bravo'),
           ('d0000000-0000-0000-0000-000000000002'::uuid, 'blocked_by', 'outgoing', '7a000000-0000-0000-0000-0000000000c2'::uuid,
            'Blocker Y', 'todo', NULL)$$,
  'relations of a task: its outgoing blocked_by rows with the related task and its assignee name');
SELECT results_eq(
  $$SELECT direction, relation_type::text, related_task_id FROM get_task_relations('7a000000-0000-0000-0000-0000000000c1')$$,
  $$VALUES ('outgoing', 'blocks', '7a000000-0000-0000-0000-0000000000c4'::uuid),
           ('incoming', 'blocked_by', '7a000000-0000-0000-0000-0000000000b1'::uuid),
           ('incoming', 'relates_to', '7a000000-0000-0000-0000-0000000000b2'::uuid)$$,
  'outgoing rows first, then incoming ones; relation_type as stored (not inverted)');
SELECT results_eq(
  $$SELECT created_at, related_assignee_name FROM get_task_relations('7a000000-0000-0000-0000-0000000000c2')$$,
  $$VALUES (now() - interval '1 min', 'Alpha')$$,
  'incoming row: created_at of the relation, assignee of the related task');
SELECT is_empty($$SELECT * FROM get_task_relations('7a000000-0000-0000-0000-0000000000ff')$$, 'unknown task: no rows');

SET LOCAL role authenticated;
SET LOCAL request.jwt.claims = '{"app_metadata": {"tenant_id": "22222222-2222-2222-2222-222222222222"}}';
SELECT is_empty($$SELECT * FROM get_task_relations('7a000000-0000-0000-0000-0000000000b1')$$,
                'RLS applies: another tenant sees no relations');
SET LOCAL request.jwt.claims = '{"app_metadata": {"tenant_id": "00000000-0000-0000-0000-000000000000"}}';
SELECT is((SELECT count(*)::int FROM get_task_relations('7a000000-0000-0000-0000-0000000000b1')), 2,
          'the own tenant sees them');
RESET role;

SELECT throws_ok(
  $$INSERT INTO task_relations (source_task_id, target_task_id, relation_type)
    VALUES ('7a000000-0000-0000-0000-0000000000b1', '7a000000-0000-0000-0000-0000000000b1', 'relates_to')$$,
  '23514', NULL, 'a task cannot be related to itself');
SELECT throws_ok(
  $$INSERT INTO task_relations (source_task_id, target_task_id, relation_type)
    VALUES ('7a000000-0000-0000-0000-0000000000b1', '7a000000-0000-0000-0000-0000000000c1', 'blocked_by')$$,
  '23505', NULL, 'the same relation cannot be stored twice');

-- ============================================================ blocker resolved
UPDATE tasks SET status = 'done' WHERE id = '7a000000-0000-0000-0000-0000000000c1';
SELECT is((SELECT count(*)::int FROM agent_inbox_items WHERE event_type = 'blocker_resolved'), 0,
          'one of two blockers done: no item yet (Y still open)');
UPDATE tasks SET status = 'cancelled' WHERE id = '7a000000-0000-0000-0000-0000000000c2';
SELECT results_eq(
  $$SELECT agent_id, agent_slug, tenant_id, task_id, summary, dedup_key, context
      FROM agent_inbox_items WHERE event_type = 'blocker_resolved'$$,
  $$VALUES ('a0000000-0000-0000-0000-00000000000a'::uuid, 'alpha', '00000000-0000-0000-0000-000000000000'::uuid,
            '7a000000-0000-0000-0000-0000000000b1'::uuid,
            'Blocker resolved: "Blocker Y" is cancelled. You can proceed with: "Blocked work"',
            'blocker_resolved:7a000000-0000-0000-0000-0000000000b1:7a000000-0000-0000-0000-0000000000c2',
            '{"resolved_task_id": "7a000000-0000-0000-0000-0000000000c2", "resolved_task_title": "Blocker Y",
              "blocked_task_title": "Blocked work", "remaining_blockers": 0, "resolution": "cancelled"}'::jsonb)$$,
  'the last blocker resolved: a blocker_resolved item for the blocked task''s assignee');
SELECT is((SELECT status::text FROM tasks WHERE id = '7a000000-0000-0000-0000-0000000000b1'), 'blocked',
          'the blocked task''s own status is not changed');

UPDATE tasks SET status = 'todo' WHERE id = '7a000000-0000-0000-0000-0000000000c2';
UPDATE tasks SET status = 'done' WHERE id = '7a000000-0000-0000-0000-0000000000c2';
SELECT is((SELECT count(*)::int FROM agent_inbox_items WHERE event_type = 'blocker_resolved'), 1,
          'resolving the same blocker again is de-duplicated');
UPDATE tasks SET status = 'cancelled' WHERE id = '7a000000-0000-0000-0000-0000000000c2';
SELECT is((SELECT count(*)::int FROM agent_inbox_items WHERE event_type = 'blocker_resolved'), 1,
          'done -> cancelled is not a resolution (old status already resolved)');

UPDATE tasks SET status = 'done' WHERE id = '7a000000-0000-0000-0000-0000000000c4';
SELECT is((SELECT count(*)::int FROM agent_inbox_items WHERE task_id = '7a000000-0000-0000-0000-0000000000b2'
            AND event_type = 'blocker_resolved'), 0,
          'a missed blocker still counts as blocking');
UPDATE tasks SET status = 'done' WHERE id = '7a000000-0000-0000-0000-0000000000c3';
SELECT is((SELECT summary FROM agent_inbox_items WHERE task_id = '7a000000-0000-0000-0000-0000000000b2'
            AND event_type = 'blocker_resolved'),
          'Blocker resolved: "Missed blocker" is done. You can proceed with: "Second blocked"',
          'once the missed blocker is done, the last-blocker item is sent');

UPDATE tasks SET status = 'done' WHERE id IN ('7a000000-0000-0000-0000-0000000000c5', '7a000000-0000-0000-0000-0000000000c6');
SELECT is((SELECT count(*)::int FROM agent_inbox_items WHERE task_id IN ('7a000000-0000-0000-0000-0000000000b3',
            '7a000000-0000-0000-0000-0000000000b4') AND event_type = 'blocker_resolved'), 0,
          'no item for an unassigned or an archived blocked task');

-- A blocked task that is itself finished gets nothing.
INSERT INTO tasks (id, title, assignee_agent_id) VALUES
  ('7a000000-0000-0000-0000-0000000000b5', 'Finished blocked', 'a0000000-0000-0000-0000-00000000000a'),
  ('7a000000-0000-0000-0000-0000000000c7', 'Late blocker', NULL);
INSERT INTO task_relations (source_task_id, target_task_id, relation_type)
VALUES ('7a000000-0000-0000-0000-0000000000b5', '7a000000-0000-0000-0000-0000000000c7', 'blocked_by');
UPDATE tasks SET status = 'done' WHERE id = '7a000000-0000-0000-0000-0000000000b5';
UPDATE tasks SET status = 'done' WHERE id = '7a000000-0000-0000-0000-0000000000c7';
SELECT is((SELECT count(*)::int FROM agent_inbox_items WHERE task_id = '7a000000-0000-0000-0000-0000000000b5'
            AND event_type = 'blocker_resolved'), 0,
          'no item for a blocked task that is already done');

-- Only blocked_by relations count: "X blocks Z" does not notify Z's side.
SELECT is((SELECT count(*)::int FROM agent_inbox_items WHERE event_type = 'blocker_resolved'), 2,
          'exactly two blocker_resolved items in total');

DELETE FROM tasks WHERE id = '7a000000-0000-0000-0000-0000000000c1';
SELECT is((SELECT count(*)::int FROM task_relations WHERE '7a000000-0000-0000-0000-0000000000c1' IN (source_task_id, target_task_id)), 0,
          'relations are deleted with their tasks');

SELECT * FROM finish();
ROLLBACK;
