-- Rows for an HQ v17 database (examples/hq-v17), written before an upgrade test.
--
-- Apply as a superuser after the v17 migrations, on PostgreSQL 15 with or without pgvector
-- (documents.embedding is never referenced):
--   psql -v ON_ERROR_STOP=1 -d DB -f tests/cases/hq_v17_rows.sql
--
-- Every one of the 30 tables gets rows (at least two each, except the singleton `workspace`,
-- which admits exactly one). Ids are fixed: '<tt>000000-0000-4000-8000-0000000000<nn>' with a
-- two-digit table code tt. Rows made by triggers (inbox items of task assignments, comment
-- mentions and contact automations; the budget notification) get generated ids.
--
-- Values the upgrade to the current schema has to transform on purpose:
--   * tasks with every task_priority (urgent, high, medium, low) and one without; due_at set;
--   * streams of type project and custom (besides functional);
--   * agents online, offline and paused; gateways.status 'online' and 'offline' (text);
--   * audit_log action 'uploaded' (and 'moved', 'restored');
--   * inbox items of event type contact_created / contact_status_changed / contact_updated;
--   * notifications with is_read true; agent_commands with failed_at set;
--   * contact_organizations with is_current NULL;
--   * documents, assets, their folders, task_attachments and automation_rules.

BEGIN;

-- ---------------------------------------------------------------- workspace (singleton)
-- Module 004 seeds one row with a generated id; it is replaced by a row with a fixed id.
DELETE FROM public.workspace;
INSERT INTO public.workspace (id, name, slug, description, initialized, owner_name,
                              owner_preferred_name, owner_timezone, settings,
                              default_agent_budget_usd, default_soft_threshold_pct,
                              default_hard_cutoff)
VALUES ('01000000-0000-4000-8000-000000000001', 'Acme HQ', 'acme', 'Operations of Acme',
        true, 'Ada Lovelace', 'Ada', 'Europe/Berlin', '{"theme": "dark"}', 25.00, 75, false);

-- ---------------------------------------------------------------- configuration
INSERT INTO public.pipeline_stages (id, entity_type, stage_key, label, color, sort_order, is_terminal, is_default) VALUES
  ('02000000-0000-4000-8000-000000000001', 'contact', 'new',       'New',       '#6b7280', 0, false, true),
  ('02000000-0000-4000-8000-000000000002', 'contact', 'qualified', 'Qualified', '#10b981', 1, false, false),
  ('02000000-0000-4000-8000-000000000003', 'contact', 'won',       'Won',       '#f59e0b', 2, true,  false);

INSERT INTO public.field_definitions (id, entity_type, field_key, field_type, label, field_group, sort_order, required, options, description, is_active) VALUES
  ('03000000-0000-4000-8000-000000000001', 'contact', 'budget', 'number', 'Budget', 'Deal', 0, false, NULL, 'Expected budget', true),
  ('03000000-0000-4000-8000-000000000002', 'contact', 'tier',   'select', 'Tier',   'Deal', 1, true,  '{"choices": ["gold", "silver"]}', NULL, true),
  ('03000000-0000-4000-8000-000000000003', 'organization', 'arr', 'number', 'ARR', NULL, 0, NULL, NULL, NULL, false);

-- ---------------------------------------------------------------- gateways and agents
INSERT INTO public.gateways (id, slug, label, status, last_seen_at, meta) VALUES
  ('0a000000-0000-4000-8000-000000000001', 'main',   'Main gateway',   'online',  '2025-03-01 10:00:00+00', '{"url": "https://gw1.example.test"}'),
  ('0a000000-0000-4000-8000-000000000002', 'backup', 'Backup gateway', 'offline', NULL,                     '{}');

INSERT INTO public.gateway_registration_tokens (id, token_hash, label, expires_at, consumed_at, consumed_by_gateway_id) VALUES
  ('0b000000-0000-4000-8000-000000000001', encode(sha256(convert_to('token-main', 'UTF8')), 'hex'), 'Main',
   '2025-03-02 00:00:00+00', '2025-03-01 09:00:00+00', '0a000000-0000-4000-8000-000000000001'),
  ('0b000000-0000-4000-8000-000000000002', encode(sha256(convert_to('token-unused', 'UTF8')), 'hex'), 'Spare',
   '2099-01-01 00:00:00+00', NULL, NULL);

INSERT INTO public.agents (id, gateway_id, name, slug, description, status, last_seen_at, domains, capabilities, config, meta, reports_to_id) VALUES
  ('0c000000-0000-4000-8000-000000000001', '0a000000-0000-4000-8000-000000000001', 'Chief', 'chief',
   'Coordinates the other agents', 'online', '2025-03-01 10:00:00+00', '{ops}', '{planning}', '{"model": "large"}', '{}', NULL),
  ('0c000000-0000-4000-8000-000000000002', '0a000000-0000-4000-8000-000000000001', 'Scout', 'scout',
   'Researches leads', 'offline', NULL, '{sales,research}', NULL, '{}', '{"template": "researcher"}',
   '0c000000-0000-4000-8000-000000000001'),
  ('0c000000-0000-4000-8000-000000000003', '0a000000-0000-4000-8000-000000000002', 'Scribe', 'scribe',
   'Writes drafts', 'paused', NULL, '{}', '{writing}', '{}', '{}', '0c000000-0000-4000-8000-000000000001');

-- ---------------------------------------------------------------- automation rules
-- Declared before the contacts, so that inserting and updating contacts fires them.
INSERT INTO public.automation_rules (id, table_name, field, condition, value, target_agent_id, target_agent_slug, event_type, summary_template, is_active, meta) VALUES
  ('1b000000-0000-4000-8000-000000000001', 'contacts', NULL, 'created', NULL,
   '0c000000-0000-4000-8000-000000000002', 'scout', 'contact_created', 'Research new contact {name}', true, '{}'),
  ('1b000000-0000-4000-8000-000000000002', 'contacts', 'status', 'changed_to', 'qualified',
   '0c000000-0000-4000-8000-000000000003', 'scribe', 'contact_status_changed',
   'Draft outreach for {name} ({old_value} -> {new_value})', true, '{}'),
  ('1b000000-0000-4000-8000-000000000003', 'contacts', 'tier', 'any_change', NULL,
   '0c000000-0000-4000-8000-000000000001', 'chief', 'contact_updated', 'Tier of {name} is now {new_value}', false,
   '{"note": "inactive rule"}');

-- ---------------------------------------------------------------- CRM
INSERT INTO public.tags (id, name, color) VALUES
  ('04000000-0000-4000-8000-000000000001', 'vip', '#ef4444'),
  ('04000000-0000-4000-8000-000000000002', 'investor', NULL);

INSERT INTO public.campaigns (id, name, description, channel, is_active, meta) VALUES
  ('05000000-0000-4000-8000-000000000001', 'Spring outreach', 'Q2 founders', 'email', true, '{}'),
  ('05000000-0000-4000-8000-000000000002', 'Old campaign', NULL, 'linkedin', false, '{"year": 2024}');

INSERT INTO public.contacts (id, name, email, phone, company, title, tags, source, campaign_id, status, priority, relationship_strength, extended, archived_at) VALUES
  ('06000000-0000-4000-8000-000000000001', 'Grace Hopper', 'grace@example.test', '+1 555 0100', 'Navy', 'Admiral',
   '{vip}', 'conference', '05000000-0000-4000-8000-000000000001', 'new', 'high', 'friend', '{"tier": "gold", "budget": 5000}', NULL),
  ('06000000-0000-4000-8000-000000000002', 'Alan Turing', 'alan@example.test', NULL, 'Bletchley', NULL,
   '{}', 'referral', NULL, 'new', NULL, 'stranger', '{}', NULL),
  ('06000000-0000-4000-8000-000000000003', 'Archived Person', NULL, NULL, NULL, NULL,
   '{investor}', NULL, '05000000-0000-4000-8000-000000000002', 'won', 'low', NULL, '{}', '2025-01-15 12:00:00+00');

-- Status change: fires the changed_to rule (contact_status_changed inbox item).
UPDATE public.contacts
   SET status = 'qualified', status_changed_at = '2025-03-01 11:00:00+00'
 WHERE id = '06000000-0000-4000-8000-000000000002';

INSERT INTO public.organizations (id, name, type, website, industry, size, location, tags, status, extended) VALUES
  ('07000000-0000-4000-8000-000000000001', 'Navy', 'government', 'https://navy.example.test', 'defence', '1000+', 'Arlington', '{vip}', 'active', '{}'),
  ('07000000-0000-4000-8000-000000000002', 'Bletchley Park', 'company', NULL, 'research', '100-500', 'Bletchley', '{}', NULL, '{"arr": 1}');

INSERT INTO public.contact_organizations (id, contact_id, org_id, role, is_current, started_at, ended_at) VALUES
  ('08000000-0000-4000-8000-000000000001', '06000000-0000-4000-8000-000000000001', '07000000-0000-4000-8000-000000000001',
   'Admiral', NULL, '1943-01-01', NULL),
  ('08000000-0000-4000-8000-000000000002', '06000000-0000-4000-8000-000000000002', '07000000-0000-4000-8000-000000000002',
   'Cryptanalyst', true, '1939-09-04', NULL),
  ('08000000-0000-4000-8000-000000000003', '06000000-0000-4000-8000-000000000002', '07000000-0000-4000-8000-000000000001',
   'Advisor', false, '1940-01-01', '1941-01-01');

INSERT INTO public.templates (id, name, channel, stage, subject, body, is_active, family, angle, audience, overlays, meta) VALUES
  ('09000000-0000-4000-8000-000000000001', 'Intro', 'email', 'new', 'Hello {name}', 'Hi {name}, ...', true,
   'intro', 'curiosity', 'founders', '[{"kind": "ps"}]', '{}'),
  ('09000000-0000-4000-8000-000000000002', 'Follow-up', 'linkedin', 'qualified', NULL, 'Following up', false,
   NULL, NULL, NULL, '[]', '{}');

-- Each interaction moves the contact's last_contact_date and counts the template use.
INSERT INTO public.interactions (id, contact_id, org_id, type, direction, channel, subject, summary, occurred_at, next_action, next_action_date, template_id, actor_type, actor_agent_id, meta) VALUES
  ('0d000000-0000-4000-8000-000000000001', '06000000-0000-4000-8000-000000000001', '07000000-0000-4000-8000-000000000001',
   'email', 'outbound', 'email', 'Hello Grace', 'Intro sent', '2025-02-20 09:00:00+00', 'Call', '2025-03-05 09:00:00+00',
   '09000000-0000-4000-8000-000000000001', 'agent', '0c000000-0000-4000-8000-000000000003', '{}'),
  ('0d000000-0000-4000-8000-000000000002', '06000000-0000-4000-8000-000000000002', NULL,
   'call', 'inbound', 'phone', NULL, 'Asked about pricing', '2025-02-25 15:30:00+00', NULL, NULL,
   NULL, 'human', NULL, '{"duration_min": 12}');

-- ---------------------------------------------------------------- documents and assets
INSERT INTO public.document_folders (id, parent_id, name, icon, sort_order) VALUES
  ('15000000-0000-4000-8000-000000000001', NULL, 'Playbooks', 'book', 0),
  ('15000000-0000-4000-8000-000000000002', '15000000-0000-4000-8000-000000000001', 'Sales', NULL, 1);

INSERT INTO public.documents (id, folder_id, title, content, tags, pinned, meta, archived_at) VALUES
  ('16000000-0000-4000-8000-000000000001', '15000000-0000-4000-8000-000000000002', 'Sales playbook',
   '{"type": "doc", "content": [{"type": "paragraph", "text": "Qualify first."}]}', '{boot:all,sales}', true, '{}', NULL),
  ('16000000-0000-4000-8000-000000000002', NULL, 'Scout instructions',
   '{"type": "doc", "content": []}', '{boot:scout}', false, '{"version": 2}', NULL),
  ('16000000-0000-4000-8000-000000000003', NULL, 'Old notes', NULL, '{}', NULL, '{}', '2025-01-01 00:00:00+00');

INSERT INTO public.asset_folders (id, parent_id, name, color, sort_order) VALUES
  ('13000000-0000-4000-8000-000000000001', NULL, 'Brand', '#3b82f6', 0),
  ('13000000-0000-4000-8000-000000000002', '13000000-0000-4000-8000-000000000001', 'Logos', NULL, NULL);

INSERT INTO public.assets (id, folder_id, name, description, type, mime_type, file_url, file_size, content, tags, meta, archived_at) VALUES
  ('14000000-0000-4000-8000-000000000001', '13000000-0000-4000-8000-000000000002', 'Logo', 'Primary logo', 'image',
   'image/png', 'assets/brand/logo.png', 20480, NULL, '{brand}', '{}', NULL),
  ('14000000-0000-4000-8000-000000000002', NULL, 'Onboarding SOP', NULL, 'sop',
   NULL, NULL, NULL, 'Step 1: ...', '{}', '{}', NULL),
  ('14000000-0000-4000-8000-000000000003', NULL, 'Competitor site', NULL, 'link',
   NULL, 'https://competitor.example.test', NULL, NULL, '{research}', '{}', '2025-02-01 00:00:00+00');

INSERT INTO public.draft_sets (id, contact_id, template_id, channel, stage, version, variants, selected_variant_index, based_on_draft_set_id, feedback_notes, status, meta) VALUES
  ('17000000-0000-4000-8000-000000000001', '06000000-0000-4000-8000-000000000001', '09000000-0000-4000-8000-000000000001',
   'email', 'new', 1, '[{"subject": "Hi"}, {"subject": "Hello"}]', NULL, NULL, 'Too formal', 'draft', '{}'),
  ('17000000-0000-4000-8000-000000000002', '06000000-0000-4000-8000-000000000001', '09000000-0000-4000-8000-000000000001',
   'email', 'new', 2, '[{"subject": "Hey Grace"}]', 0, '17000000-0000-4000-8000-000000000001', NULL, 'approved', '{}');

-- ---------------------------------------------------------------- tasks
INSERT INTO public.streams (id, name, description, color, icon, sort_order, type, is_archived, meta) VALUES
  ('0e000000-0000-4000-8000-000000000001', 'Sales',         'Pipeline work',    NULL,      'briefcase', 0, 'functional', false, '{}'),
  ('0e000000-0000-4000-8000-000000000002', 'Website relaunch', 'Q2 project',    '#8b5cf6', NULL,        1, 'project',    false, '{}'),
  ('0e000000-0000-4000-8000-000000000003', 'Misc',          NULL,               NULL,      NULL,        2, 'custom',     true,  '{"legacy": true}');

INSERT INTO public.task_series (id, stream_id, title, description, priority, assignee_type, assignee_agent_id, tags,
                                linked_entity_type, linked_entity_id, meta, cadence_type, interval_n, days_of_week,
                                day_of_month, time_of_day, timezone, is_paused, starts_on, ends_on, ends_after_count,
                                spawned_count, last_spawned_at, missed_policy) VALUES
  ('0f000000-0000-4000-8000-000000000001', '0e000000-0000-4000-8000-000000000001', 'Weekly pipeline review', NULL,
   'urgent', 'agent', '0c000000-0000-4000-8000-000000000001', '{review}', NULL, NULL, '{}',
   'weekly', 1, '{1,3}', NULL, '08:30', 'Europe/Berlin', false, '2025-01-06', NULL, NULL,
   1, '2025-02-24 07:30:00+00', 'auto_skip'),
  ('0f000000-0000-4000-8000-000000000002', NULL, 'Monthly report', 'Close the books', 'low', 'human', NULL, '{}',
   'contact', '06000000-0000-4000-8000-000000000001', '{}', 'monthly', 1, '{}', -1, '17:00', 'UTC', true,
   '2025-01-01', '2025-12-31', 12, 0, NULL, 'queue');

-- Assigned tasks fire tasks_enqueue_assignment (task_assignment inbox items).
INSERT INTO public.tasks (id, title, description, status, priority, stream_id, parent_id, assignee_type, assignee_agent_id,
                          due_date, due_at, linked_entity_type, linked_entity_id, contact_id, org_id, series_id,
                          series_occurrence_at, is_recurring, recurrence_rule, last_completed_at, tags, sort_order, archived_at) VALUES
  ('10000000-0000-4000-8000-000000000001', 'Call Grace', 'Discuss pilot', 'todo', 'urgent',
   '0e000000-0000-4000-8000-000000000001', NULL, 'agent', '0c000000-0000-4000-8000-000000000002',
   '2025-03-03 12:00:00+00', '2025-03-03 12:00:00+00', 'contact', '06000000-0000-4000-8000-000000000001',
   '06000000-0000-4000-8000-000000000001', '07000000-0000-4000-8000-000000000001', NULL, NULL, false, NULL, NULL,
   '{sales}', 0, NULL),
  ('10000000-0000-4000-8000-000000000002', 'Prepare call notes', NULL, 'in_progress', 'high',
   '0e000000-0000-4000-8000-000000000001', '10000000-0000-4000-8000-000000000001', 'agent', '0c000000-0000-4000-8000-000000000003',
   NULL, '2025-03-02 18:00:00+00', NULL, NULL, NULL, NULL, NULL, NULL, false, NULL, NULL, '{}', 1, NULL),
  ('10000000-0000-4000-8000-000000000003', 'Redesign landing page', NULL, 'blocked', 'medium',
   '0e000000-0000-4000-8000-000000000002', NULL, 'human', NULL,
   '2025-04-01 00:00:00+00', NULL, NULL, NULL, NULL, NULL, NULL, NULL, true, 'FREQ=WEEKLY', '2025-02-01 10:00:00+00',
   '{web}', 2, NULL),
  ('10000000-0000-4000-8000-000000000004', 'Clean up tags', NULL, 'done', 'low',
   '0e000000-0000-4000-8000-000000000003', NULL, NULL, NULL,
   NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, false, NULL, NULL, '{}', 3, NULL),
  ('10000000-0000-4000-8000-000000000005', 'Weekly pipeline review', NULL, 'missed', 'urgent',
   '0e000000-0000-4000-8000-000000000001', NULL, 'agent', '0c000000-0000-4000-8000-000000000001',
   '2025-02-24 07:30:00+00', '2025-02-24 07:30:00+00', NULL, NULL, NULL, NULL,
   '0f000000-0000-4000-8000-000000000001', '2025-02-24 07:30:00+00', false, NULL, NULL, '{review}', 0, NULL),
  ('10000000-0000-4000-8000-000000000006', 'Someday idea', NULL, 'cancelled', NULL,
   NULL, NULL, NULL, NULL,
   NULL, '2025-06-30 00:00:00+00', NULL, NULL, NULL, NULL, NULL, NULL, false, NULL, NULL, '{}', 4, '2025-02-28 00:00:00+00');

-- Reassignment: Scout -> Chief (task_reassignment inbox item).
UPDATE public.tasks
   SET assignee_agent_id = '0c000000-0000-4000-8000-000000000001'
 WHERE id = '10000000-0000-4000-8000-000000000002';

-- Comments; the mentions enqueue task_comment_mention inbox items.
INSERT INTO public.comments (id, entity_type, entity_id, parent_id, body, actor_type, actor_agent_id, mentions) VALUES
  ('11000000-0000-4000-8000-000000000001', 'task', '10000000-0000-4000-8000-000000000001', NULL,
   '@scout please call before Friday', 'human', NULL, '{@scout}'),
  ('11000000-0000-4000-8000-000000000002', 'task', '10000000-0000-4000-8000-000000000001', '11000000-0000-4000-8000-000000000001',
   'Will do; @chief FYI', 'agent', '0c000000-0000-4000-8000-000000000002', '{chief,scout}'),
  ('11000000-0000-4000-8000-000000000003', 'contact', '06000000-0000-4000-8000-000000000001', NULL,
   'Met at the conference', 'human', NULL, '{}');

-- Attachments bump the task's updated_at.
INSERT INTO public.task_attachments (id, task_id, entity_type, entity_id, url, label) VALUES
  ('12000000-0000-4000-8000-000000000001', '10000000-0000-4000-8000-000000000001', 'document', '16000000-0000-4000-8000-000000000001', NULL, 'Playbook'),
  ('12000000-0000-4000-8000-000000000002', '10000000-0000-4000-8000-000000000001', 'asset', '14000000-0000-4000-8000-000000000001', NULL, 'Logo'),
  ('12000000-0000-4000-8000-000000000003', '10000000-0000-4000-8000-000000000003', 'url', NULL, 'https://figma.example.test/file/1', 'Mockups');

-- ---------------------------------------------------------------- audit and notifications
INSERT INTO public.audit_log (id, actor_type, actor_agent_id, module, entity_type, entity_id, action, summary, changes, meta) VALUES
  ('18000000-0000-4000-8000-000000000001', 'human', NULL, 'assets', 'asset', '14000000-0000-4000-8000-000000000001',
   'uploaded', 'Uploaded logo.png', NULL, '{"size": 20480}'),
  ('18000000-0000-4000-8000-000000000002', 'agent', '0c000000-0000-4000-8000-000000000002', 'tasks', 'task',
   '10000000-0000-4000-8000-000000000001', 'status_changed', 'todo -> in_progress', '{"status": ["todo", "in_progress"]}', '{}'),
  ('18000000-0000-4000-8000-000000000003', 'human', NULL, 'documents', 'document', '16000000-0000-4000-8000-000000000002',
   'moved', 'Moved to root', NULL, '{}'),
  ('18000000-0000-4000-8000-000000000004', 'system', NULL, 'crm', 'contact', '06000000-0000-4000-8000-000000000003',
   'restored', NULL, NULL, '{}');

INSERT INTO public.notifications (id, type, title, body, entity_type, entity_id, actor_type, actor_agent_id, is_read, read_at, dismissed_at, meta) VALUES
  ('19000000-0000-4000-8000-000000000001', 'command.failed', 'Provisioning failed', 'scribe could not start', 'agent_command',
   '1c000000-0000-4000-8000-000000000002', 'system', NULL, true, '2025-03-01 12:00:00+00', NULL, '{}'),
  ('19000000-0000-4000-8000-000000000002', 'task_completed', 'Chief completed a task', 'Clean up tags', 'task',
   '10000000-0000-4000-8000-000000000004', 'agent', '0c000000-0000-4000-8000-000000000001', false, NULL, NULL, '{}'),
  ('19000000-0000-4000-8000-000000000003', 'info', 'Welcome', NULL, NULL, NULL, NULL, NULL, true, NULL,
   '2025-03-01 08:00:00+00', '{}');

-- ---------------------------------------------------------------- agent queues
INSERT INTO public.agent_inbox_items (id, agent_id, agent_slug, event_type, task_id, comment_id, contact_id, status,
                                      leased_at, leased_until, completed_at, failed_at, attempt_count, max_attempts,
                                      summary, context, last_wake_attempt_at, last_wake_success_at, dedup_key) VALUES
  ('1a000000-0000-4000-8000-000000000001', '0c000000-0000-4000-8000-000000000002', 'scout', 'contact_created',
   NULL, NULL, '06000000-0000-4000-8000-000000000003', 'done', '2025-01-10 10:00:00+00', '2025-01-10 10:02:00+00',
   '2025-01-10 10:01:00+00', NULL, 1, 3, 'Research new contact Archived Person', '{"legacy": true}',
   '2025-01-10 10:00:00+00', '2025-01-10 10:00:01+00', 'legacy:contact_created:1'),
  ('1a000000-0000-4000-8000-000000000002', '0c000000-0000-4000-8000-000000000001', 'chief', 'contact_updated',
   NULL, NULL, '06000000-0000-4000-8000-000000000001', 'dead_letter', '2025-01-11 10:00:00+00', '2025-01-11 10:02:00+00',
   NULL, '2025-01-11 10:03:00+00', 3, 3, 'Tier of Grace Hopper is now gold', '{"last_failure_reason": "timeout"}',
   NULL, NULL, 'legacy:contact_updated:1'),
  ('1a000000-0000-4000-8000-000000000003', '0c000000-0000-4000-8000-000000000003', 'scribe', 'task_assignment',
   '10000000-0000-4000-8000-000000000004', NULL, NULL, 'failed', NULL, NULL,
   NULL, '2025-02-01 09:00:00+00', 1, 3, 'Task assigned: Clean up tags', '{}',
   NULL, NULL, 'legacy:task_assignment:1');

INSERT INTO public.agent_commands (id, gateway_id, agent_id, agent_slug, action, payload, status, leased_at, leased_until,
                                   started_at, completed_at, failed_at, exit_code, stdout, stderr, error_message, requested_by) VALUES
  ('1c000000-0000-4000-8000-000000000001', '0a000000-0000-4000-8000-000000000001', '0c000000-0000-4000-8000-000000000001', 'chief',
   'provision', '{"template": "coordinator"}', 'done', '2025-02-01 09:00:00+00', '2025-02-01 09:05:00+00',
   '2025-02-01 09:00:05+00', '2025-02-01 09:01:00+00', NULL, 0, 'ok', NULL, NULL, NULL),
  ('1c000000-0000-4000-8000-000000000002', '0a000000-0000-4000-8000-000000000002', '0c000000-0000-4000-8000-000000000003', 'scribe',
   'restart_gateway', '{}', 'failed', '2025-03-01 11:00:00+00', '2025-03-01 11:05:00+00',
   '2025-03-01 11:00:10+00', NULL, '2025-03-01 11:00:40+00', 1, NULL, 'boom', 'gateway unreachable', NULL),
  ('1c000000-0000-4000-8000-000000000003', NULL, NULL, NULL,
   'auth_list', '{"provider": "anthropic"}', 'pending', NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL);

-- ---------------------------------------------------------------- usage and budgets
INSERT INTO public.agent_budgets (agent_id, monthly_limit_usd, soft_threshold_pct, hard_cutoff, period_anchor_tz,
                                  current_period_start, status, meta) VALUES
  ('0c000000-0000-4000-8000-000000000001', 10.00, 80, true, 'UTC', '2025-03-01', 'ok', '{}'),
  ('0c000000-0000-4000-8000-000000000002', NULL, 80, false, 'Europe/Berlin', '2025-03-01', 'ok', '{"note": "unlimited"}');

-- The rollup trigger adds the calls to the budgets: chief crosses its soft threshold (a
-- budget.warned notification), scribe gets a budget row from the workspace defaults.
INSERT INTO public.agent_usage (id, agent_id, agent_slug_snapshot, gateway_id, session_id, run_id, provider, model,
                                input_tokens, output_tokens, cache_read, cache_write, total_tokens,
                                cost_input_usd, cost_output_usd, cost_cache_read_usd, cost_cache_write_usd,
                                cost_total_usd, occurred_at, meta) VALUES
  ('1d000000-0000-4000-8000-000000000001', '0c000000-0000-4000-8000-000000000001', 'chief', '0a000000-0000-4000-8000-000000000001',
   's1', 'run-1', 'anthropic', 'claude', 1000, 500, 0, 0, 1500, 4.000000, 4.500000, 0, 0, 8.500000,
   '2025-03-01 10:00:00+00', '{}'),
  ('1d000000-0000-4000-8000-000000000002', '0c000000-0000-4000-8000-000000000002', 'scout', '0a000000-0000-4000-8000-000000000001',
   's2', 'run-2', 'local', 'llama', 200, 100, 50, 0, 350, NULL, NULL, NULL, NULL, NULL,
   '2025-03-01 10:05:00+00', '{"unmetered": true}'),
  ('1d000000-0000-4000-8000-000000000003', '0c000000-0000-4000-8000-000000000003', 'scribe', NULL,
   NULL, 'run-3', 'openai', 'gpt', 10, 20, 0, 0, 30, 0.000100, 0.000200, NULL, NULL, 0.000300,
   '2025-03-01 10:10:00+00', '{}');

COMMIT;
