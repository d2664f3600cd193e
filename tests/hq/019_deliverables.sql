-- Deliverable review (module 019) and the deliverable-submitted notification (032):
-- approving the last open deliverable completes the task; revision requests and rejections
-- reach the submitting agent's inbox, also for deliverables of non-task owners.
BEGIN;
SELECT plan(24);

INSERT INTO agents (id, name, slug) VALUES ('a0000000-0000-0000-0000-00000000000a', 'Alpha', 'alpha');
INSERT INTO tasks (id, title, status) VALUES
  ('7a000000-0000-0000-0000-000000000001', 'Ship the report', 'in_progress'),
  ('7a000000-0000-0000-0000-000000000002', 'Draft the memo', 'in_progress'),
  ('7a000000-0000-0000-0000-000000000003', 'Human review only', 'in_progress');
INSERT INTO contacts (id, name) VALUES ('c0000000-0000-0000-0000-00000000000c', 'Ada Lovelace');

CREATE FUNCTION pg_temp.deliverable(p_id uuid, p_owner_type text, p_owner uuid, p_label text,
                                    p_agent uuid DEFAULT 'a0000000-0000-0000-0000-00000000000a',
                                    p_deliverable boolean DEFAULT true)
RETURNS void LANGUAGE sql AS $$
  INSERT INTO entity_links (id, owner_type, owner_id, target_type, url, label, is_deliverable,
                            review_status, submitted_by_agent_id)
  VALUES (p_id, p_owner_type, p_owner, 'url', 'https://example.com/' || p_id, p_label, p_deliverable,
          'in_review', p_agent)
$$;

SELECT pg_temp.deliverable('e1000000-0000-0000-0000-000000000001', 'task', '7a000000-0000-0000-0000-000000000001', 'Report PDF');
SELECT pg_temp.deliverable('e1000000-0000-0000-0000-000000000002', 'task', '7a000000-0000-0000-0000-000000000001', 'Slides');
SELECT pg_temp.deliverable('e1000000-0000-0000-0000-000000000003', 'task', '7a000000-0000-0000-0000-000000000002', NULL);
SELECT pg_temp.deliverable('e1000000-0000-0000-0000-000000000004', 'contact', 'c0000000-0000-0000-0000-00000000000c', 'Intro email');
SELECT pg_temp.deliverable('e1000000-0000-0000-0000-000000000005', 'task', '7a000000-0000-0000-0000-000000000003', 'By a human', NULL);
SELECT pg_temp.deliverable('e1000000-0000-0000-0000-000000000006', 'task', '7a000000-0000-0000-0000-000000000003', 'Plain link',
                           'a0000000-0000-0000-0000-00000000000a', false);

-- ============================================================ 032: submitted notification
SELECT results_eq(
  $$SELECT title, body, entity_type, entity_id, actor_type::text, actor_agent_id, meta
      FROM notifications WHERE type = 'deliverable_submitted' AND meta ->> 'deliverable_id' = 'e1000000-0000-0000-0000-000000000001'$$,
  $$VALUES ('Alpha submitted a deliverable for review', 'Report PDF', 'task', '7a000000-0000-0000-0000-000000000001'::uuid,
            'agent', 'a0000000-0000-0000-0000-00000000000a'::uuid,
            '{"deliverable_id": "e1000000-0000-0000-0000-000000000001", "deliverable_label": "Report PDF",
              "task_title": "Ship the report", "agent_name": "Alpha"}'::jsonb)$$,
  'deliverable_submitted notification with task title and agent name');
SELECT results_eq(
  $$SELECT body, entity_type, meta -> 'task_title' FROM notifications
     WHERE type = 'deliverable_submitted' AND meta ->> 'deliverable_id' IN ('e1000000-0000-0000-0000-000000000003', 'e1000000-0000-0000-0000-000000000004')
     ORDER BY meta ->> 'deliverable_id'$$,
  $$VALUES ('Untitled', 'task', '"Draft the memo"'::jsonb), ('Intro email', 'contact', 'null'::jsonb)$$,
  'no label: Untitled; non-task owner: entity is the owner, task_title null');
SELECT is((SELECT count(*)::int FROM notifications WHERE type = 'deliverable_submitted'), 4,
          'no notification for links without submitting agent or that are not deliverables');

-- ============================================================ approval and auto-complete
UPDATE entity_links SET review_status = 'approved' WHERE id = 'e1000000-0000-0000-0000-000000000001';
SELECT is((SELECT status::text FROM tasks WHERE id = '7a000000-0000-0000-0000-000000000001'), 'in_progress',
          'approving one of two deliverables leaves the task open');
UPDATE entity_links SET review_status = 'approved' WHERE id = 'e1000000-0000-0000-0000-000000000002';
SELECT results_eq($$SELECT status::text, completed_at FROM tasks WHERE id = '7a000000-0000-0000-0000-000000000001'$$,
                  $$VALUES ('done', now())$$, 'approving the last open deliverable completes the task');
SELECT is((SELECT count(*)::int FROM agent_inbox_items WHERE event_type = 'deliverable_review'), 0,
          'approvals send no inbox item');

UPDATE entity_links SET review_status = 'approved' WHERE id = 'e1000000-0000-0000-0000-000000000005';
SELECT is((SELECT status::text FROM tasks WHERE id = '7a000000-0000-0000-0000-000000000003'), 'in_progress',
          'a deliverable without submitting agent is ignored (task stays open)');

-- ============================================================ revision requests and rejections
UPDATE entity_links SET review_status = 'revision_requested', review_note = 'More detail please'
 WHERE id = 'e1000000-0000-0000-0000-000000000003';
SELECT results_eq(
  $$SELECT agent_id, agent_slug, tenant_id, task_id, summary, dedup_key, status::text
      FROM agent_inbox_items WHERE event_type = 'deliverable_review'$$,
  $$VALUES ('a0000000-0000-0000-0000-00000000000a'::uuid, 'alpha', '00000000-0000-0000-0000-000000000000'::uuid,
            '7a000000-0000-0000-0000-000000000002'::uuid, 'Revision requested on deliverable: Untitled',
            'deliverable_review:e1000000-0000-0000-0000-000000000003:revision_requested:' || to_char(current_date, 'YYYY-MM-DD'),
            'pending')$$,
  'revision requested: deliverable_review item for the submitting agent (task_id = owner task)');
SELECT results_eq(
  $$SELECT context ->> 'deliverable_id', context -> 'deliverable_label', context ->> 'review_status', context ->> 'review_note'
      FROM agent_inbox_items WHERE event_type = 'deliverable_review'$$,
  $$VALUES ('e1000000-0000-0000-0000-000000000003', 'null'::jsonb, 'revision_requested', 'More detail please')$$,
  'review item context');
SELECT is((SELECT status::text FROM tasks WHERE id = '7a000000-0000-0000-0000-000000000002'), 'in_progress',
          'a revision request leaves the task status alone');

UPDATE entity_links SET review_note = 'Even more detail' WHERE id = 'e1000000-0000-0000-0000-000000000003';
UPDATE entity_links SET review_status = 'revision_requested' WHERE id = 'e1000000-0000-0000-0000-000000000003';
SELECT is((SELECT count(*)::int FROM agent_inbox_items WHERE event_type = 'deliverable_review'), 1,
          'no item when review_status does not change');
UPDATE entity_links SET review_status = 'in_review' WHERE id = 'e1000000-0000-0000-0000-000000000003';
SELECT is((SELECT count(*)::int FROM agent_inbox_items WHERE event_type = 'deliverable_review'), 1,
          'moving back to in_review sends nothing');
UPDATE entity_links SET review_status = 'revision_requested' WHERE id = 'e1000000-0000-0000-0000-000000000003';
SELECT is((SELECT count(*)::int FROM agent_inbox_items WHERE event_type = 'deliverable_review'), 1,
          'a second revision request on the same day is de-duplicated');
UPDATE entity_links SET review_status = 'rejected' WHERE id = 'e1000000-0000-0000-0000-000000000003';
SELECT is((SELECT summary FROM agent_inbox_items WHERE dedup_key LIKE 'deliverable_review:%:rejected:%'),
          'Deliverable rejected: Untitled', 'rejection: its own item');

UPDATE entity_links SET review_status = 'rejected' WHERE id = 'e1000000-0000-0000-0000-000000000006';
SELECT is((SELECT count(*)::int FROM agent_inbox_items WHERE event_type = 'deliverable_review'), 2,
          'a link that is not a deliverable is ignored');

-- ============================================================ deviation: non-task owner
SELECT lives_ok(
  $$UPDATE entity_links SET review_status = 'revision_requested', review_note = 'Tone it down'
     WHERE id = 'e1000000-0000-0000-0000-000000000004'$$,
  'deviation: a revision request on a deliverable of a non-task owner succeeds (the original failed with 23503)');
SELECT results_eq(
  $$SELECT task_id, summary, context ->> 'owner_type', context ->> 'owner_id', context ->> 'review_note'
      FROM agent_inbox_items WHERE dedup_key LIKE 'deliverable_review:e1000000-0000-0000-0000-000000000004:%'$$,
  $$VALUES (NULL::uuid, 'Revision requested on deliverable: Intro email', 'contact',
            'c0000000-0000-0000-0000-00000000000c', 'Tone it down')$$,
  'deviation: the item of a non-task deliverable has task_id NULL and names the owner in its context');
SELECT is((SELECT review_status FROM entity_links WHERE id = 'e1000000-0000-0000-0000-000000000004'), 'revision_requested',
          'deviation: the review update itself is stored');
SELECT lives_ok(
  $$UPDATE entity_links SET review_status = 'rejected' WHERE id = 'e1000000-0000-0000-0000-000000000004'$$,
  'deviation: rejecting a non-task deliverable succeeds');
SELECT lives_ok(
  $$UPDATE entity_links SET review_status = 'approved' WHERE id = 'e1000000-0000-0000-0000-000000000004'$$,
  'approving a non-task deliverable does nothing (and does not fail)');

-- ============================================================ agent deleted / constraints
DELETE FROM agents WHERE id = 'a0000000-0000-0000-0000-00000000000a';
SELECT is((SELECT submitted_by_agent_id FROM entity_links WHERE id = 'e1000000-0000-0000-0000-000000000003'), NULL::uuid,
          'deleting the agent clears submitted_by_agent_id');
SELECT throws_ok(
  $$UPDATE entity_links SET review_status = 'done' WHERE id = 'e1000000-0000-0000-0000-000000000003'$$,
  '23514', NULL, 'review_status is limited to the workflow values');
SELECT throws_ok(
  $$INSERT INTO entity_links (owner_type, owner_id, target_type, target_id, url)
    VALUES ('task', '7a000000-0000-0000-0000-000000000001', 'url', NULL, NULL)$$,
  '23514', NULL, 'a URL link needs a url (entity_links_target_check)');
SELECT throws_ok(
  $$INSERT INTO entity_links (owner_type, owner_id, target_type, url)
    VALUES ('task', '7a000000-0000-0000-0000-000000000001', 'url', 'https://example.com/e1000000-0000-0000-0000-000000000001')$$,
  '23505', NULL, 'URL links are unique per owner (entity_links_url_unique)');

SELECT * FROM finish();
ROLLBACK;
