-- Rows in a database at our v37 (tests/suites/hq_v39_upgrade.sh): knowledge items of every
-- scope / pinned combination in two tenants, gateways with rows, and what hangs off them
-- (agents, commands, item-agent links, chunks, a folder).
INSERT INTO public.tenants (id, name, slug) VALUES
  ('22222222-2222-2222-2222-222222222222', 'Second', 'second');

INSERT INTO public.gateways (id, tenant_id, slug, label, status, last_seen_at, meta) VALUES
  ('9a000000-0000-0000-0000-000000000001', '00000000-0000-0000-0000-000000000000', 'gw-office', 'Office',
   'ready', '2025-03-01 10:00:00+00', '{"os": "linux"}'),
  ('9a000000-0000-0000-0000-000000000002', '22222222-2222-2222-2222-222222222222', 'gw-cloud', 'Cloud',
   'hibernating', NULL, '{}');

INSERT INTO public.agents (id, tenant_id, gateway_id, name, slug) VALUES
  ('a1000000-0000-0000-0000-000000000001', '00000000-0000-0000-0000-000000000000',
   '9a000000-0000-0000-0000-000000000001', 'Scout', 'scout'),
  ('a1000000-0000-0000-0000-000000000002', '22222222-2222-2222-2222-222222222222',
   '9a000000-0000-0000-0000-000000000002', 'Writer', 'writer');

INSERT INTO public.agent_commands (id, tenant_id, gateway_id, agent_id, action, payload) VALUES
  ('c1000000-0000-0000-0000-000000000001', '00000000-0000-0000-0000-000000000000',
   '9a000000-0000-0000-0000-000000000001', 'a1000000-0000-0000-0000-000000000001', 'restart_gateway', '{}');

INSERT INTO public.knowledge_folders (id, tenant_id, name) VALUES
  ('f1000000-0000-0000-0000-000000000001', '00000000-0000-0000-0000-000000000000', 'Playbooks');

-- Title = expected scope after 039, so a failure message names what went wrong.
INSERT INTO public.knowledge_items (id, tenant_id, folder_id, kind, title, content, tags, scope, pinned, meta, archived_at) VALUES
  -- default tenant: scope workspace / agent x pinned true / false / NULL
  ('4c000000-0000-0000-0000-000000000001', '00000000-0000-0000-0000-000000000000', 'f1000000-0000-0000-0000-000000000001',
   'page', 'workspace pinned', '{"type": "doc"}', '{boot}', 'workspace', true, '{"n": 1}', NULL),
  ('4c000000-0000-0000-0000-000000000002', '00000000-0000-0000-0000-000000000000', NULL,
   'skill', 'workspace unpinned', NULL, '{}', 'workspace', false, '{}', NULL),
  ('4c000000-0000-0000-0000-000000000003', '00000000-0000-0000-0000-000000000000', NULL,
   'page', 'workspace pinned null', NULL, '{}', 'workspace', NULL, '{}', NULL),
  ('4c000000-0000-0000-0000-000000000004', '00000000-0000-0000-0000-000000000000', NULL,
   'page', 'agent pinned', NULL, '{}', 'agent', true, '{}', NULL),
  ('4c000000-0000-0000-0000-000000000005', '00000000-0000-0000-0000-000000000000', NULL,
   'skill', 'agent unpinned', NULL, '{}', 'agent', false, '{}', NULL),
  ('4c000000-0000-0000-0000-000000000006', '00000000-0000-0000-0000-000000000000', NULL,
   'page', 'agent pinned null', NULL, '{}', 'agent', NULL, '{}', NULL),
  -- second tenant, archived ones included
  ('4c000000-0000-0000-0000-000000000007', '22222222-2222-2222-2222-222222222222', NULL,
   'page', 'workspace pinned, other tenant', NULL, '{}', 'workspace', true, '{}', NULL),
  ('4c000000-0000-0000-0000-000000000008', '22222222-2222-2222-2222-222222222222', NULL,
   'file', 'workspace unpinned, archived', NULL, '{}', 'workspace', false, '{}', '2025-02-01 00:00:00+00');
-- The default: scope workspace, pinned false.
INSERT INTO public.knowledge_items (id, kind, title) VALUES
  ('4c000000-0000-0000-0000-000000000009', 'page', 'defaults');

INSERT INTO public.knowledge_item_agents (tenant_id, knowledge_item_id, agent_id) VALUES
  ('00000000-0000-0000-0000-000000000000', '4c000000-0000-0000-0000-000000000004', 'a1000000-0000-0000-0000-000000000001'),
  ('00000000-0000-0000-0000-000000000000', '4c000000-0000-0000-0000-000000000005', 'a1000000-0000-0000-0000-000000000001');

INSERT INTO public.knowledge_chunks (tenant_id, knowledge_item_id, chunk_index, content, content_hash) VALUES
  ('00000000-0000-0000-0000-000000000000', '4c000000-0000-0000-0000-000000000001', 0, 'Qualify first.', 'h0');
