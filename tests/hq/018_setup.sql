-- Setup completion (module 018): complete_setup initialises the workspace once and replaces the
-- contact stages, contact fields and streams; the tenant comes from the JWT, or from the argument
-- for service_role; errors abort the whole call; anon may not call it.
BEGIN;
SELECT plan(27);

INSERT INTO tenants (id, name, slug) VALUES
  ('22222222-2222-2222-2222-222222222222', 'Second', 'second'),
  ('33333333-3333-3333-3333-333333333333', 'Third', 'third');
INSERT INTO workspace (tenant_id, name) VALUES
  ('22222222-2222-2222-2222-222222222222', 'Unnamed'),
  ('33333333-3333-3333-3333-333333333333', 'Unnamed');
-- Pre-existing lists of the default tenant: replaced by the wizard. A deal stage survives.
INSERT INTO pipeline_stages (stage_key, label, entity_type) VALUES ('old', 'Old', 'contact'), ('deal_stage', 'Deal', 'deal');
INSERT INTO field_definitions (field_key, field_type, label) VALUES ('old_field', 'text', 'Old field');
INSERT INTO streams (id, name) VALUES ('5a000000-0000-0000-0000-000000000001', 'Old stream');
INSERT INTO tasks (id, title, stream_id) VALUES ('7a000000-0000-0000-0000-000000000001', 'Streamed task', '5a000000-0000-0000-0000-000000000001');

CREATE TEMP TABLE args ON COMMIT DROP AS SELECT
  '[{"stage_key": "lead", "label": "Lead", "color": "#111", "is_default": true},
    {"stage_key": "won", "label": "Won", "sort_order": 9, "is_terminal": true}]'::jsonb AS stages,
  '[{"field_key": "industry", "field_type": "select", "label": "Industry", "field_group": "Company",
     "options": ["tech", "retail"], "required": true, "description": "Sector"},
    {"field_key": "nickname", "field_type": "text", "label": "Nickname", "options": null, "description": ""}]'::jsonb AS fields,
  '[{"name": "Sales", "type": "channel", "color": "#f00", "icon": "coin", "sort_order": 2, "description": ""},
    {"name": "Ops"}]'::jsonb AS streams;
GRANT SELECT ON args TO PUBLIC;

-- ============================================================ first call (default tenant, as the owner's session)
SET LOCAL role authenticated;
SET LOCAL request.jwt.claims = '{"app_metadata": {"tenant_id": "00000000-0000-0000-0000-000000000000"}}';
SELECT lives_ok(
  $$SELECT complete_setup('Acme HQ', 'acme', '', 'Ada Lovelace', 'Ada', 'Europe/London',
                          (SELECT stages FROM args), (SELECT fields FROM args), (SELECT streams FROM args),
                          '22222222-2222-2222-2222-222222222222')$$,
  'authenticated completes the setup');
RESET role;

SELECT results_eq(
  $$SELECT name, slug, description, owner_name, owner_preferred_name, owner_timezone, initialized, updated_at
      FROM workspace WHERE tenant_id = '00000000-0000-0000-0000-000000000000'$$,
  $$VALUES ('Acme HQ', 'acme', NULL::text, 'Ada Lovelace', 'Ada', 'Europe/London', true, now())$$,
  'the workspace of the caller''s tenant is initialised (empty strings stored as NULL)');
SELECT is((SELECT initialized FROM workspace WHERE tenant_id = '22222222-2222-2222-2222-222222222222'), false,
          'p_tenant_id is ignored for a non-service caller');
SELECT results_eq(
  $$SELECT stage_key, label, color, sort_order, is_terminal, is_default FROM pipeline_stages
     WHERE tenant_id = '00000000-0000-0000-0000-000000000000' AND entity_type = 'contact' ORDER BY stage_key$$,
  $$VALUES ('lead', 'Lead', '#111', 0, false, true), ('won', 'Won', NULL::text, 9, true, false)$$,
  'contact stages replaced, with defaults for missing keys');
SELECT is((SELECT count(*)::int FROM pipeline_stages WHERE entity_type = 'deal'), 1, 'stages of other entity types are kept');
SELECT results_eq(
  $$SELECT field_key, field_type, label, field_group, sort_order, required, options, description, is_active
      FROM field_definitions WHERE tenant_id = '00000000-0000-0000-0000-000000000000' ORDER BY field_key$$,
  $$VALUES ('industry', 'select', 'Industry', 'Company', 0, true, '["tech", "retail"]'::jsonb, 'Sector', true),
           ('nickname', 'text', 'Nickname', NULL::text, 0, false, NULL::jsonb, NULL::text, true)$$,
  'contact fields replaced; JSON null options and empty descriptions become NULL');
SELECT results_eq(
  $$SELECT name, description, type::text, color, icon, sort_order, meta FROM streams
     WHERE tenant_id = '00000000-0000-0000-0000-000000000000' ORDER BY name$$,
  $$VALUES ('Ops', NULL::text, 'functional', NULL::text, NULL::text, 0, '{}'::jsonb),
           ('Sales', NULL::text, 'channel', '#f00', 'coin', 2, '{}'::jsonb)$$,
  'all streams replaced; type defaults to functional');
SELECT is((SELECT stream_id FROM tasks WHERE id = '7a000000-0000-0000-0000-000000000001'), NULL::uuid,
          'tasks of a deleted stream keep existing without stream');

-- ============================================================ second call: workspace kept, lists replaced
SET LOCAL role authenticated;
SELECT lives_ok($$SELECT complete_setup('Renamed', 'renamed', 'x', 'y', 'z', 'UTC', '[]', '[]', NULL)$$,
                'a second call succeeds');
RESET role;
SELECT results_eq($$SELECT name, slug, owner_timezone FROM workspace WHERE tenant_id = '00000000-0000-0000-0000-000000000000'$$,
                  $$VALUES ('Acme HQ', 'acme', 'Europe/London')$$, 'an initialised workspace is left unchanged');
SELECT is((SELECT count(*)::int FROM pipeline_stages WHERE tenant_id = '00000000-0000-0000-0000-000000000000' AND entity_type = 'contact'), 0,
          'empty arrays leave no contact stages');
SELECT is((SELECT count(*)::int FROM field_definitions WHERE tenant_id = '00000000-0000-0000-0000-000000000000'), 0,
          'and no contact fields');
SELECT is((SELECT count(*)::int FROM streams WHERE tenant_id = '00000000-0000-0000-0000-000000000000'), 0,
          'a NULL array inserts nothing (streams deleted, none added)');

-- ============================================================ service_role names the tenant
SET LOCAL role service_role;
SELECT lives_ok(
  $$SELECT complete_setup('Second HQ', 'second', 'desc', '', '', '', (SELECT stages FROM args), NULL, NULL,
                          '22222222-2222-2222-2222-222222222222')$$,
  'service_role completes the setup of a named tenant');
RESET role;
SELECT results_eq(
  $$SELECT name, description, owner_name, owner_timezone, initialized FROM workspace WHERE tenant_id = '22222222-2222-2222-2222-222222222222'$$,
  $$VALUES ('Second HQ', 'desc', NULL::text, NULL::text, true)$$,
  'service_role: the workspace of p_tenant_id');
SELECT is((SELECT count(*)::int FROM pipeline_stages WHERE tenant_id = '22222222-2222-2222-2222-222222222222'), 2,
          'service_role: stages created in p_tenant_id');

SET LOCAL role authenticated;
SET LOCAL request.jwt.claims = '{"app_metadata": {"tenant_id": "33333333-3333-3333-3333-333333333333"}}';
SELECT lives_ok($$SELECT complete_setup('Third HQ', 'third', '', '', '', '', NULL, NULL, '[{"name": "Only"}]')$$,
                'another tenant''s user completes its own setup');
RESET role;
SELECT results_eq(
  $$SELECT w.name, (SELECT string_agg(s.name, ',') FROM streams s WHERE s.tenant_id = w.tenant_id)
      FROM workspace w WHERE w.tenant_id = '33333333-3333-3333-3333-333333333333'$$,
  $$VALUES ('Third HQ', 'Only')$$,
  'the tenant comes from the JWT claims');

-- ============================================================ errors abort the whole call
SET LOCAL role authenticated;
SET LOCAL request.jwt.claims = '{"app_metadata": {"tenant_id": "22222222-2222-2222-2222-222222222222"}}';
SELECT throws_ok(
  $$SELECT complete_setup('n', 's', '', '', '', '', '[{"stage_key": "a", "label": "A", "is_default": true},
                                                      {"stage_key": "b", "label": "B", "is_default": true}]', NULL, NULL)$$,
  '23505', NULL, 'two default stages: 23505');
SELECT throws_ok(
  $$SELECT complete_setup('n', 's', '', '', '', '', '[{"label": "No key"}]', NULL, NULL)$$,
  '23502', NULL, 'a stage without stage_key: 23502');
SELECT throws_ok(
  $$SELECT complete_setup('n', 's', '', '', '', '', NULL, '[{"field_key": "f", "field_type": "text", "label": "F"},
                                                            {"field_key": "f", "field_type": "text", "label": "F"}]', NULL)$$,
  '23505', NULL, 'duplicate field keys: 23505');
SELECT throws_ok(
  $$SELECT complete_setup('n', 's', '', '', '', '', NULL, NULL, '[{"name": "S", "type": "regional"}]')$$,
  '22P02', NULL, 'an unknown stream type: 22P02');
SELECT throws_ok(
  $$SELECT complete_setup('n', 's', '', '', '', '', '[{"stage_key": "a", "label": "A", "sort_order": "first"}]', NULL, NULL)$$,
  '22P02', NULL, 'a non-integer sort_order: 22P02');
SELECT throws_ok(
  $$SELECT complete_setup('n', 's', '', '', '', '', NULL, '[{"field_key": "f", "field_type": "text", "label": "F", "required": "maybe"}]', NULL)$$,
  '22P02', NULL, 'a non-boolean flag: 22P02');
RESET role;
SELECT is((SELECT count(*)::int FROM pipeline_stages WHERE tenant_id = '22222222-2222-2222-2222-222222222222'), 2,
          'after the failed calls the tenant''s stages are unchanged (nothing was deleted)');

SET LOCAL role anon;
SELECT throws_ok($$SELECT complete_setup('n', 's', '', '', '', '', NULL, NULL, NULL)$$, '42501', NULL,
                 'deviation: anon cannot execute complete_setup');
RESET role;
SELECT ok(NOT has_function_privilege('public', 'complete_setup(text, text, text, text, text, text, jsonb, jsonb, jsonb, uuid)', 'EXECUTE'),
          'deviation: PUBLIC has no EXECUTE on complete_setup');

SELECT * FROM finish();
ROLLBACK;
