-- Agent inbox (module 014): lease / complete / fail with retries and dead-lettering, the task
-- assignment trigger (incl. reassignment), comment mentions and the agent-comment notification.
-- (Concurrent leasing is covered by 014_inbox_concurrency.sh.)
BEGIN;
SELECT plan(45);

INSERT INTO tenants (id, name, slug) VALUES
  ('22222222-2222-2222-2222-222222222222', 'Other', 'other');
INSERT INTO agents (id, name, slug) VALUES
  ('a0000000-0000-0000-0000-00000000000a', 'Alpha', 'alpha'),
  ('a0000000-0000-0000-0000-00000000000b', 'Bravo', 'bravo');
INSERT INTO agents (id, tenant_id, name, slug) VALUES
  ('a0000000-0000-0000-0000-00000000000c', '22222222-2222-2222-2222-222222222222', 'Charlie', 'charlie');

-- ======================================================================== lease / fail
INSERT INTO agent_inbox_items (id, agent_id, agent_slug, event_type, dedup_key, created_at) VALUES
  ('1b000000-0000-0000-0000-000000000001', 'a0000000-0000-0000-0000-00000000000a', 'alpha', 'heartbeat', 'i1', now() - interval '10 min'),
  ('1b000000-0000-0000-0000-000000000002', 'a0000000-0000-0000-0000-00000000000a', 'alpha', 'heartbeat', 'i2', now() - interval '5 min'),
  ('1b000000-0000-0000-0000-000000000003', 'a0000000-0000-0000-0000-00000000000b', 'bravo', 'heartbeat', 'i3', now() - interval '20 min');

SET LOCAL role service_role;

CREATE TEMP TABLE l1 ON COMMIT DROP AS SELECT * FROM lease_inbox_item('a0000000-0000-0000-0000-00000000000a');
SELECT results_eq($$SELECT id, status::text, attempt_count, leased_at, leased_until FROM l1$$,
  $$VALUES ('1b000000-0000-0000-0000-000000000001'::uuid, 'leased', 1, now(), now() + interval '120 seconds')$$,
  'lease: oldest item of the agent, status leased, attempt 1, default lease of 120 s');
SELECT is((SELECT id FROM lease_inbox_item('a0000000-0000-0000-0000-00000000000a', 30)),
          '1b000000-0000-0000-0000-000000000002'::uuid, 'lease: a leased item is skipped, the next one is returned');
SELECT is((SELECT leased_until FROM agent_inbox_items WHERE id = '1b000000-0000-0000-0000-000000000002'),
          now() + interval '30 seconds', 'lease: p_lease_seconds sets the window');
SELECT is((SELECT count(*)::int FROM lease_inbox_item('a0000000-0000-0000-0000-00000000000a')), 0,
          'lease: nothing while both items are under a live lease');

-- max_attempts = 3 (column default): lease(1) -> fail -> failed; lease(2) -> fail -> failed;
-- lease(3) -> fail -> dead_letter; then nothing.
SELECT fail_inbox_item('1b000000-0000-0000-0000-000000000001', 'timeout');
SELECT results_eq($$SELECT status::text, attempt_count, failed_at, context ->> 'last_failure_reason'
                      FROM agent_inbox_items WHERE id = '1b000000-0000-0000-0000-000000000001'$$,
  $$VALUES ('failed', 1, now(), 'timeout')$$,
  'fail (attempt 1 of 3): failed, failed_at set, reason in context, attempt count unchanged');
SELECT is((SELECT attempt_count FROM lease_inbox_item('a0000000-0000-0000-0000-00000000000a')), 2,
          'lease: the failed item is retried (attempt 2)');
SELECT fail_inbox_item('1b000000-0000-0000-0000-000000000001', 'again');
SELECT is((SELECT status::text FROM agent_inbox_items WHERE id = '1b000000-0000-0000-0000-000000000001'),
          'failed', 'fail (attempt 2 of 3): still failed');
SELECT is((SELECT attempt_count FROM lease_inbox_item('a0000000-0000-0000-0000-00000000000a')), 3,
          'lease: third attempt');
SELECT fail_inbox_item('1b000000-0000-0000-0000-000000000001');
SELECT results_eq($$SELECT status::text, attempt_count, context -> 'last_failure_reason'
                      FROM agent_inbox_items WHERE id = '1b000000-0000-0000-0000-000000000001'$$,
  $$VALUES ('dead_letter', 3, 'null'::jsonb)$$,
  'fail (attempt 3 of 3): dead_letter; no reason is stored as JSON null');
SELECT is((SELECT count(*)::int FROM lease_inbox_item('a0000000-0000-0000-0000-00000000000a')), 0,
          'lease: a dead-lettered item is never returned');

-- Expired lease: leasable again.
UPDATE agent_inbox_items SET leased_until = now() - interval '1 second'
 WHERE id = '1b000000-0000-0000-0000-000000000002';
SELECT results_eq($$SELECT id, attempt_count FROM lease_inbox_item('a0000000-0000-0000-0000-00000000000a')$$,
  $$VALUES ('1b000000-0000-0000-0000-000000000002'::uuid, 2)$$,
  'lease: an item whose lease expired is leased again (attempt 2)');

SELECT complete_inbox_item('1b000000-0000-0000-0000-000000000002');
SELECT results_eq($$SELECT status::text, completed_at FROM agent_inbox_items
                     WHERE id = '1b000000-0000-0000-0000-000000000002'$$,
  $$VALUES ('done', now())$$, 'complete: done with completed_at');
UPDATE agent_inbox_items SET leased_until = now() - interval '1 second'
 WHERE id = '1b000000-0000-0000-0000-000000000002';
SELECT is((SELECT count(*)::int FROM lease_inbox_item('a0000000-0000-0000-0000-00000000000a')), 0,
          'lease: a done item is never returned');

SELECT complete_inbox_item('1b000000-0000-0000-0000-000000000001');
SELECT is((SELECT status::text FROM agent_inbox_items WHERE id = '1b000000-0000-0000-0000-000000000001'),
          'done', 'complete: no precondition (a dead-lettered item can be completed)');
SELECT lives_ok($$SELECT complete_inbox_item('1b000000-0000-0000-0000-0000000000ff')$$, 'complete: unknown id is a no-op');
SELECT lives_ok($$SELECT fail_inbox_item('1b000000-0000-0000-0000-0000000000ff', 'x')$$, 'fail: unknown id is a no-op');

-- Attempts used up without being dead-lettered (e.g. max_attempts lowered): not leasable.
INSERT INTO agent_inbox_items (id, agent_id, agent_slug, event_type, dedup_key, max_attempts, attempt_count, status)
VALUES ('1b000000-0000-0000-0000-000000000004', 'a0000000-0000-0000-0000-00000000000b', 'bravo', 'heartbeat', 'i4', 1, 1, 'failed');
SELECT is((SELECT id FROM lease_inbox_item('a0000000-0000-0000-0000-00000000000b')),
          '1b000000-0000-0000-0000-000000000003'::uuid, 'lease is per agent: bravo gets its own item');
SELECT is((SELECT count(*)::int FROM lease_inbox_item('a0000000-0000-0000-0000-00000000000b')), 0,
          'lease: an item with attempt_count = max_attempts is not leased');
SELECT fail_inbox_item('1b000000-0000-0000-0000-000000000004', 'x');
SELECT is((SELECT status::text FROM agent_inbox_items WHERE id = '1b000000-0000-0000-0000-000000000004'),
          'dead_letter', 'fail with attempt_count >= max_attempts dead-letters');
RESET role;

-- ======================================================================== assignment trigger
INSERT INTO tasks (id, title, assignee_agent_id, priority, model_override)
VALUES ('7a000000-0000-0000-0000-000000000001', 'Write report', 'a0000000-0000-0000-0000-00000000000a', 'high', 'opus');

SELECT results_eq(
  $$SELECT event_type::text, agent_slug, tenant_id, summary, dedup_key, status::text
      FROM agent_inbox_items WHERE task_id = '7a000000-0000-0000-0000-000000000001'$$,
  $$VALUES ('task_assignment', 'alpha', '00000000-0000-0000-0000-000000000000'::uuid, 'Task assigned: Write report',
            'task_assignment:7a000000-0000-0000-0000-000000000001:a0000000-0000-0000-0000-00000000000a', 'pending')$$,
  'insert with assignee: one task_assignment item for the agent');
SELECT is((SELECT context FROM agent_inbox_items WHERE task_id = '7a000000-0000-0000-0000-000000000001'),
          '{"task_title": "Write report", "task_status": "todo", "task_priority": "high",
            "model_override": "opus", "thinking_override": null}'::jsonb,
          'assignment context holds the task values at trigger time');
SELECT is((SELECT status::text FROM tasks WHERE id = '7a000000-0000-0000-0000-000000000001'),
          'in_progress', 'a todo task with an agent assignee moves to in_progress');

-- Deviation: a real reassignment produces task_reassignment (the original produced a plain
-- task_assignment because of its whole-row OLD IS NOT NULL test).
UPDATE tasks SET assignee_agent_id = 'a0000000-0000-0000-0000-00000000000b'
 WHERE id = '7a000000-0000-0000-0000-000000000001';
SELECT results_eq(
  $$SELECT event_type::text, agent_slug, summary, dedup_key, context ->> 'previous_agent_id'
      FROM agent_inbox_items
     WHERE task_id = '7a000000-0000-0000-0000-000000000001' AND agent_id = 'a0000000-0000-0000-0000-00000000000b'$$,
  $$VALUES ('task_reassignment', 'bravo', 'Task reassigned: Write report',
            'task_reassignment:7a000000-0000-0000-0000-000000000001:a0000000-0000-0000-0000-00000000000b',
            'a0000000-0000-0000-0000-00000000000a')$$,
  'deviation: reassignment from one agent to another produces a task_reassignment item with previous_agent_id');
SELECT is((SELECT count(*)::int FROM agent_inbox_items
            WHERE task_id = '7a000000-0000-0000-0000-000000000001' AND event_type = 'task_assignment'
              AND agent_id = 'a0000000-0000-0000-0000-00000000000b'), 0,
          'deviation: reassignment produces no plain task_assignment item for the new agent');
SELECT is((SELECT context ->> 'task_status' FROM agent_inbox_items
            WHERE dedup_key LIKE 'task_reassignment:%'), 'in_progress',
          'reassignment context shows the current status');

UPDATE tasks SET assignee_agent_id = 'a0000000-0000-0000-0000-00000000000b', title = 'Write report'
 WHERE id = '7a000000-0000-0000-0000-000000000001';
SELECT is((SELECT count(*)::int FROM agent_inbox_items WHERE task_id = '7a000000-0000-0000-0000-000000000001'), 2,
          'an UPDATE listing the same assignee creates nothing');
UPDATE tasks SET assignee_agent_id = NULL WHERE id = '7a000000-0000-0000-0000-000000000001';
SELECT is((SELECT count(*)::int FROM agent_inbox_items WHERE task_id = '7a000000-0000-0000-0000-000000000001'), 2,
          'unassigning creates nothing');
UPDATE tasks SET assignee_agent_id = 'a0000000-0000-0000-0000-00000000000a' WHERE id = '7a000000-0000-0000-0000-000000000001';
SELECT is((SELECT count(*)::int FROM agent_inbox_items WHERE task_id = '7a000000-0000-0000-0000-000000000001'), 2,
          'assigning back (from no assignee) to an agent who already had the item is de-duplicated');
UPDATE tasks SET assignee_agent_id = 'a0000000-0000-0000-0000-00000000000b' WHERE id = '7a000000-0000-0000-0000-000000000001';
SELECT is((SELECT count(*)::int FROM agent_inbox_items WHERE task_id = '7a000000-0000-0000-0000-000000000001'), 2,
          'reassigning back to bravo is de-duplicated on task_reassignment:<task>:<agent>');
UPDATE tasks SET assignee_agent_id = NULL WHERE id = '7a000000-0000-0000-0000-000000000001';
UPDATE tasks SET assignee_agent_id = 'a0000000-0000-0000-0000-00000000000b' WHERE id = '7a000000-0000-0000-0000-000000000001';
SELECT is((SELECT event_type::text FROM agent_inbox_items
            WHERE task_id = '7a000000-0000-0000-0000-000000000001' AND dedup_key LIKE 'task_assignment:%:a0000000-0000-0000-0000-00000000000b'),
          'task_assignment', 'assigning from no assignee is a plain task_assignment, not a reassignment');

INSERT INTO tasks (id, title, status, assignee_agent_id)
VALUES ('7a000000-0000-0000-0000-000000000002', 'Blocked work', 'blocked', 'a0000000-0000-0000-0000-00000000000a');
SELECT is((SELECT status::text FROM tasks WHERE id = '7a000000-0000-0000-0000-000000000002'),
          'blocked', 'only todo tasks move to in_progress');
SELECT is((SELECT count(*)::int FROM agent_inbox_items WHERE task_id = '7a000000-0000-0000-0000-000000000002'), 1,
          'a blocked task assignment is still announced');

INSERT INTO tasks (id, title) VALUES ('7a000000-0000-0000-0000-000000000003', 'Nobody''s task');
SELECT is((SELECT count(*)::int FROM agent_inbox_items WHERE task_id = '7a000000-0000-0000-0000-000000000003'), 0,
          'a task without assignee creates no item');
SELECT is((SELECT status::text FROM tasks WHERE id = '7a000000-0000-0000-0000-000000000003'), 'todo',
          'and stays todo');

-- The agent's tenant is used for the item (agent row, not task row).
INSERT INTO tasks (id, title, assignee_agent_id)
VALUES ('7a000000-0000-0000-0000-000000000004', 'Cross-tenant', 'a0000000-0000-0000-0000-00000000000c');
SELECT is((SELECT tenant_id FROM agent_inbox_items WHERE task_id = '7a000000-0000-0000-0000-000000000004'),
          '22222222-2222-2222-2222-222222222222'::uuid, 'item tenant is the agent''s tenant');

-- The status notification (013) fires for the nested assignment: task_assigned on UPDATE only.
SELECT is((SELECT count(*)::int FROM notifications WHERE type = 'task_assigned'
            AND entity_id = '7a000000-0000-0000-0000-000000000001'), 4,
          'task_assigned notifications for the four UPDATEs that set another agent');
SELECT is((SELECT count(*)::int FROM notifications WHERE type = 'task_assigned'
            AND entity_id = '7a000000-0000-0000-0000-000000000002'), 0,
          'no task_assigned notification for an assignment at INSERT time');

-- ======================================================================== comment mentions
INSERT INTO comments (id, entity_type, entity_id, body, actor_type, actor_agent_id, mentions)
VALUES ('c1000000-0000-0000-0000-000000000001', 'task', '7a000000-0000-0000-0000-000000000001',
        repeat('x', 600), 'agent', 'a0000000-0000-0000-0000-00000000000b',
        ARRAY['@alpha', 'bravo', '@@alpha', '@ghost', 'Alpha', 'charlie']);

SELECT results_eq(
  $$SELECT agent_slug, event_type::text, task_id, comment_id, summary, dedup_key
      FROM agent_inbox_items WHERE comment_id = 'c1000000-0000-0000-0000-000000000001'$$,
  $$VALUES ('alpha', 'task_comment_mention', '7a000000-0000-0000-0000-000000000001'::uuid,
            'c1000000-0000-0000-0000-000000000001'::uuid, '@alpha mentioned in comment',
            'comment_mention:c1000000-0000-0000-0000-000000000001:a0000000-0000-0000-0000-00000000000a')$$,
  'mentions: one item for alpha (twice mentioned); own author, unknown, wrong-case and other-tenant slugs skipped');
SELECT results_eq(
  $$SELECT length(context ->> 'comment_body'), context ->> 'entity_type', context ->> 'entity_id',
           context ->> 'actor_type', context ->> 'actor_agent_id'
      FROM agent_inbox_items WHERE comment_id = 'c1000000-0000-0000-0000-000000000001'$$,
  $$VALUES (500, 'task', '7a000000-0000-0000-0000-000000000001', 'agent', 'a0000000-0000-0000-0000-00000000000b')$$,
  'mention context: body cut to 500 characters, entity and actor');

INSERT INTO comments (id, entity_type, entity_id, body, mentions)
VALUES ('c1000000-0000-0000-0000-000000000002', 'contact', gen_random_uuid(), 'ping @bravo', ARRAY['bravo']);
SELECT results_eq(
  $$SELECT agent_slug, task_id FROM agent_inbox_items WHERE comment_id = 'c1000000-0000-0000-0000-000000000002'$$,
  $$VALUES ('bravo', NULL::uuid)$$,
  'mention on a non-task entity: task_id NULL');

INSERT INTO comments (id, entity_type, entity_id, body, mentions)
VALUES ('c1000000-0000-0000-0000-000000000003', 'task', '7a000000-0000-0000-0000-000000000001', 'hey @alpha, see this', '{}');
SELECT is((SELECT count(*)::int FROM agent_inbox_items WHERE comment_id = 'c1000000-0000-0000-0000-000000000003'), 0,
          'the body text is not parsed: no mentions array, no item');

INSERT INTO comments (id, tenant_id, entity_type, entity_id, body, mentions)
VALUES ('c1000000-0000-0000-0000-000000000004', '22222222-2222-2222-2222-222222222222', 'task',
        '7a000000-0000-0000-0000-000000000004', 'cc', ARRAY['charlie', 'alpha']);
SELECT results_eq(
  $$SELECT agent_slug, tenant_id FROM agent_inbox_items WHERE comment_id = 'c1000000-0000-0000-0000-000000000004'$$,
  $$VALUES ('charlie', '22222222-2222-2222-2222-222222222222'::uuid)$$,
  'mentions resolve only agents of the comment''s tenant');

-- ======================================================================== agent comment notification
SELECT results_eq(
  $$SELECT title, length(body), entity_type, entity_id, actor_type::text, actor_agent_id,
           meta ->> 'comment_id', meta ->> 'entity_title'
      FROM notifications WHERE type = 'agent_comment'$$,
  $$VALUES ('Bravo commented', 200, 'task', '7a000000-0000-0000-0000-000000000001'::uuid, 'agent',
            'a0000000-0000-0000-0000-00000000000b'::uuid, 'c1000000-0000-0000-0000-000000000001', 'Write report')$$,
  'agent comment: one notification (human comments create none), body cut to 200, task title in meta');

INSERT INTO comments (id, entity_type, entity_id, body, actor_type, actor_agent_id)
VALUES ('c1000000-0000-0000-0000-000000000005', 'contact', gen_random_uuid(), 'noted', 'agent', NULL);
SELECT results_eq(
  $$SELECT title, meta -> 'entity_title' FROM notifications
     WHERE type = 'agent_comment' AND meta ->> 'comment_id' = 'c1000000-0000-0000-0000-000000000005'$$,
  $$VALUES ('Agent commented', 'null'::jsonb)$$,
  'agent comment with unknown author on a non-task: "Agent commented", entity_title null');

-- ======================================================================== RLS and grants
SET LOCAL role authenticated;
SET LOCAL request.jwt.claims = '{"app_metadata": {"tenant_id": "22222222-2222-2222-2222-222222222222"}}';
SELECT is((SELECT count(*)::int FROM agent_inbox_items), 2, 'authenticated sees only its tenant''s inbox items');
RESET role;

SELECT * FROM finish();
ROLLBACK;
