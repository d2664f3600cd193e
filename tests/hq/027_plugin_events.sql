-- Plugin event queue (module 027): emit_plugin_event payloads for insert / update / delete,
-- secret columns stripped at every depth (a fixed defect: nested UPDATE images leaked them),
-- and the ten triggers that feed the queue.
BEGIN;
SELECT plan(34);

INSERT INTO tenants (id, name, slug) VALUES ('22222222-2222-2222-2222-222222222222', 'Other', 'other');
INSERT INTO agents (id, name, slug) VALUES ('a0000000-0000-0000-0000-00000000000a', 'Alpha', 'alpha');
CREATE TEMP TABLE gw ON COMMIT DROP AS
  SELECT id FROM gateways WHERE slug = 'default' AND tenant_id = '00000000-0000-0000-0000-000000000000';
DELETE FROM hq_plugin_event_queue;   -- start from an empty queue (rolled back at the end)

-- ============================================================ secrets: insert / update / delete
INSERT INTO secrets (id, gateway_id, key, name, encrypted_value)
VALUES ('5c000000-0000-0000-0000-000000000001', (SELECT id FROM gw), 'API_KEY', 'API key', 'CIPHERTEXT-INSERTED');
SELECT results_eq(
  $$SELECT event_type, entity_type, entity_id, tenant_id, actor_type, actor_agent_id, processed
      FROM hq_plugin_event_queue$$,
  $$VALUES ('secret.changed', 'secrets', '5c000000-0000-0000-0000-000000000001'::uuid,
            '00000000-0000-0000-0000-000000000000'::uuid, 'system', NULL::uuid, false)$$,
  'insert: one secret.changed event for the row');
SELECT results_eq(
  $$SELECT payload ->> 'key', payload ->> 'id', payload ? 'encrypted_value' FROM hq_plugin_event_queue$$,
  $$VALUES ('API_KEY', '5c000000-0000-0000-0000-000000000001', false)$$,
  'insert payload: the row without encrypted_value');

UPDATE secrets SET encrypted_value = 'CIPHERTEXT-ROTATED', note = 'rotated'
 WHERE id = '5c000000-0000-0000-0000-000000000001';
CREATE TEMP TABLE upd ON COMMIT DROP AS
  SELECT payload FROM hq_plugin_event_queue WHERE payload ? 'new';
SELECT is((SELECT count(*)::int FROM upd), 1, 'update: one event with new / old / changed_fields');
SELECT ok((SELECT NOT (payload -> 'new') ? 'encrypted_value' FROM upd),
          'deviation: the nested new row image carries no encrypted_value');
SELECT ok((SELECT NOT (payload -> 'old') ? 'encrypted_value' FROM upd),
          'deviation: the nested old row image carries no encrypted_value');
SELECT is((SELECT payload -> 'changed_fields' FROM upd), '{"note": "rotated"}'::jsonb,
          'deviation: changed_fields lists the changed columns with their new values, but not encrypted_value');
SELECT results_eq(
  $$SELECT payload -> 'new' ->> 'note', payload -> 'old' -> 'note' FROM upd$$,
  $$VALUES ('rotated', 'null'::jsonb)$$,
  'update payload: new and old row images');

UPDATE secrets SET encrypted_value = 'CIPHERTEXT-ONLY-CHANGE' WHERE id = '5c000000-0000-0000-0000-000000000001';
SELECT is((SELECT payload -> 'changed_fields' FROM hq_plugin_event_queue
            WHERE payload -> 'new' IS NOT NULL AND payload -> 'changed_fields' = 'null'::jsonb), 'null'::jsonb,
          'an update that changes only the secret: changed_fields is JSON null (nothing visible changed)');

DELETE FROM secrets WHERE id = '5c000000-0000-0000-0000-000000000001';
SELECT results_eq(
  $$SELECT payload ->> 'key', payload ? 'encrypted_value' FROM hq_plugin_event_queue
     WHERE NOT payload ? 'new' AND payload ->> 'note' = 'rotated'$$,
  $$VALUES ('API_KEY', false)$$,
  'delete payload: the old row without encrypted_value');
SELECT is((SELECT count(*)::int FROM hq_plugin_event_queue WHERE event_type = 'secret.changed'), 4,
          'insert, two updates and delete: four secret.changed events');
SELECT is((SELECT count(*)::int FROM hq_plugin_event_queue
            WHERE jsonb_path_exists(payload, 'strict $.**.encrypted_value')), 0,
          'deviation: no payload has encrypted_value at any depth');
SELECT is((SELECT count(*)::int FROM hq_plugin_event_queue WHERE payload::text LIKE '%CIPHERTEXT%'), 0,
          'deviation: no ciphertext reached the queue at all');

-- ============================================================ hq_plugins.webhook_secret
-- No shipped trigger emits hq_plugins events; attach one (rolled back) to check the stripping.
CREATE TRIGGER hqt_plugin_events AFTER INSERT OR UPDATE OR DELETE ON hq_plugins
  FOR EACH ROW EXECUTE FUNCTION emit_plugin_event('plugin.test');
INSERT INTO hq_plugins (id, plugin_id, name, source, webhook_url, webhook_secret)
VALUES ('9e000000-0000-0000-0000-000000000001', 'hook', 'Hook', 'webhook', 'https://example.com/h', 'WHSECRET-1');
UPDATE hq_plugins SET webhook_secret = 'WHSECRET-2', is_enabled = false WHERE plugin_id = 'hook';
DELETE FROM hq_plugins WHERE plugin_id = 'hook';
SELECT is((SELECT count(*)::int FROM hq_plugin_event_queue WHERE event_type = 'plugin.test'), 3,
          'insert, update and delete of a plugin were queued');
SELECT is((SELECT count(*)::int FROM hq_plugin_event_queue
            WHERE event_type = 'plugin.test'
              AND (jsonb_path_exists(payload, 'strict $.**.webhook_secret') OR payload::text LIKE '%WHSECRET%')), 0,
          'deviation: webhook_secret is stripped at every depth as well');
SELECT is((SELECT payload -> 'changed_fields' FROM hq_plugin_event_queue WHERE event_type = 'plugin.test' AND payload ? 'new'),
          '{"is_enabled": false}'::jsonb, 'plugin update: only the visible change is listed');

-- ============================================================ the other triggers
DELETE FROM hq_plugin_event_queue;
INSERT INTO tasks (id, title) VALUES ('7a000000-0000-0000-0000-000000000001', 'Evented');
SELECT results_eq(
  $$SELECT event_type, entity_type, entity_id, payload ->> 'title', payload ? 'new' FROM hq_plugin_event_queue$$,
  $$VALUES ('task.created', 'tasks', '7a000000-0000-0000-0000-000000000001'::uuid, 'Evented', false)$$,
  'task insert: task.created with the row as payload');
DELETE FROM hq_plugin_event_queue;
UPDATE tasks SET assignee_agent_id = 'a0000000-0000-0000-0000-00000000000a' WHERE id = '7a000000-0000-0000-0000-000000000001';
SELECT set_eq($$SELECT event_type FROM hq_plugin_event_queue$$, $$VALUES ('task.assigned'), ('inbox.created')$$,
              'assigning a task: task.assigned plus inbox.created for the assignment item');
SELECT is((SELECT payload -> 'changed_fields' ->> 'assignee_agent_id' FROM hq_plugin_event_queue WHERE event_type = 'task.assigned'),
          'a0000000-0000-0000-0000-00000000000a', 'task.assigned: the new assignee in changed_fields');
SELECT is((SELECT entity_type FROM hq_plugin_event_queue WHERE event_type = 'inbox.created'), 'agent_inbox_items',
          'inbox.created: entity type is the table name');
DELETE FROM hq_plugin_event_queue;
UPDATE tasks SET title = 'Renamed', assignee_agent_id = 'a0000000-0000-0000-0000-00000000000a'
 WHERE id = '7a000000-0000-0000-0000-000000000001';
SELECT is_empty($$SELECT * FROM hq_plugin_event_queue$$, 'no event when the assignee and status do not change');
UPDATE tasks SET status = 'done' WHERE id = '7a000000-0000-0000-0000-000000000001';
SELECT results_eq($$SELECT event_type, payload -> 'changed_fields' ->> 'status' FROM hq_plugin_event_queue$$,
                  $$VALUES ('task.completed', 'done')$$, 'status -> done: task.completed');
UPDATE tasks SET status = 'done' WHERE id = '7a000000-0000-0000-0000-000000000001';
SELECT is((SELECT count(*)::int FROM hq_plugin_event_queue WHERE event_type = 'task.completed'), 1,
          'done -> done: no second task.completed');

DELETE FROM hq_plugin_event_queue;
UPDATE agents SET status = 'paused' WHERE id = 'a0000000-0000-0000-0000-00000000000a';
UPDATE agents SET status = 'paused', name = 'Alpha 2' WHERE id = 'a0000000-0000-0000-0000-00000000000a';
SELECT results_eq($$SELECT event_type, payload -> 'old' ->> 'status', payload -> 'new' ->> 'status' FROM hq_plugin_event_queue$$,
                  $$VALUES ('agent.status_changed', 'ready', 'paused')$$, 'agent status change: agent.status_changed (once)');

DELETE FROM hq_plugin_event_queue;
INSERT INTO comments (entity_type, entity_id, body) VALUES ('task', '7a000000-0000-0000-0000-000000000001', 'hello');
SELECT results_eq($$SELECT event_type, entity_type, payload ->> 'body' FROM hq_plugin_event_queue$$,
                  $$VALUES ('comment.created', 'comments', 'hello')$$, 'comment insert: comment.created');
DELETE FROM hq_plugin_event_queue;
INSERT INTO knowledge_items (kind, title) VALUES ('page', 'Handbook');
SELECT results_eq($$SELECT event_type, entity_type, payload ->> 'title' FROM hq_plugin_event_queue$$,
                  $$VALUES ('knowledge.created', 'knowledge_items', 'Handbook')$$, 'knowledge item insert: knowledge.created');

DELETE FROM hq_plugin_event_queue;
INSERT INTO agent_inbox_items (id, agent_id, agent_slug, event_type, dedup_key) VALUES
  ('1b000000-0000-0000-0000-000000000001', 'a0000000-0000-0000-0000-00000000000a', 'alpha', 'routine_event', 'r1'),
  ('1b000000-0000-0000-0000-000000000002', 'a0000000-0000-0000-0000-00000000000a', 'alpha', 'heartbeat', 'h1');
SELECT set_eq($$SELECT event_type, entity_id FROM hq_plugin_event_queue$$,
              $$VALUES ('inbox.created', '1b000000-0000-0000-0000-000000000001'::uuid),
                       ('routine.triggered', '1b000000-0000-0000-0000-000000000001'::uuid),
                       ('inbox.created', '1b000000-0000-0000-0000-000000000002'::uuid)$$,
              'inbox insert: inbox.created, plus routine.triggered for routine items');
SELECT results_eq(
  $$SELECT payload ->> 'dedup_key', payload ->> 'event_type' FROM hq_plugin_event_queue WHERE event_type = 'routine.triggered'$$,
  $$VALUES ('r1', 'routine_event')$$,
  'routine.triggered carries the inbox row');
DELETE FROM hq_plugin_event_queue;
SELECT complete_inbox_item('1b000000-0000-0000-0000-000000000002');
SELECT complete_inbox_item('1b000000-0000-0000-0000-000000000002');
SELECT results_eq($$SELECT event_type, entity_id FROM hq_plugin_event_queue$$,
                  $$VALUES ('inbox.completed', '1b000000-0000-0000-0000-000000000002'::uuid)$$,
                  'completing an item: inbox.completed, once');

-- Events carry the row's tenant.
DELETE FROM hq_plugin_event_queue;
INSERT INTO tasks (tenant_id, title) VALUES ('22222222-2222-2222-2222-222222222222', 'Other tenant task');
SELECT is((SELECT tenant_id FROM hq_plugin_event_queue), '22222222-2222-2222-2222-222222222222'::uuid,
          'the event''s tenant is the row''s tenant');

-- ============================================================ access
SET LOCAL role authenticated;
SET LOCAL request.jwt.claims = '{"app_metadata": {"tenant_id": "22222222-2222-2222-2222-222222222222"}}';
SELECT is((SELECT count(*)::int FROM hq_plugin_event_queue), 0, 'authenticated sees nothing in the queue (no policy)');
SELECT lives_ok($$INSERT INTO tasks (tenant_id, title) VALUES ('22222222-2222-2222-2222-222222222222', 'By a user')$$,
                'a user''s write still queues its event (SECURITY DEFINER trigger function)');
RESET role;
SELECT is((SELECT count(*)::int FROM hq_plugin_event_queue WHERE payload ->> 'title' = 'By a user'), 1,
          'the event of the user''s write is in the queue');
SET LOCAL role service_role;
SELECT is((SELECT count(*)::int FROM hq_plugin_event_queue), 2, 'service_role sees the queue');
RESET role;
SET LOCAL role anon;
SELECT throws_ok($$SELECT emit_plugin_event()$$, '42501', NULL, 'anon cannot execute emit_plugin_event');
RESET role;

SELECT * FROM finish();
ROLLBACK;
