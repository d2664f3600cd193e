#!/usr/bin/env bash
# Concurrent draining of the agent inbox (014) and the command queue (015) by 8 worker
# sessions. Needs committed data and real sessions, so it runs in its own database:
#
#   bash tests/hq/014_inbox_concurrency.sh DB     (PG* variables point at the cluster)
#
# 2,000 inbox items of one agent and 1,000 commands are drained by 8 background psql
# processes that start together (a barrier), each lease and each completion being its own
# transaction. Every item must have been leased exactly once (attempt_count = 1, one lease per
# item in the workers' log) and end done; likewise for the commands. Prints TAP.
set -uo pipefail
db=${1:?usage: $0 DATABASE}
workers=8 items=2000 commands=1000
q() { psql -X -q -v ON_ERROR_STOP=1 -d "$db" "$@"; }

q <<EOF || exit 1
INSERT INTO agents (id, name, slug) VALUES
  ('a0000000-0000-0000-0000-0000000000d1', 'Drained', 'drained'),
  ('a0000000-0000-0000-0000-0000000000d2', 'Bystander', 'bystander');

-- The workload: one agent's queue, plus a bystander whose items nobody leases.
INSERT INTO agent_inbox_items (agent_id, agent_slug, event_type, dedup_key, created_at)
SELECT 'a0000000-0000-0000-0000-0000000000d1', 'drained', 'heartbeat', 'load:' || n,
       now() - interval '1 hour' + n * interval '1 millisecond'
  FROM generate_series(1, $items) AS n;
INSERT INTO agent_inbox_items (agent_id, agent_slug, event_type, dedup_key)
SELECT 'a0000000-0000-0000-0000-0000000000d2', 'bystander', 'heartbeat', 'bystander:' || n
  FROM generate_series(1, 50) AS n;
INSERT INTO agent_commands (action, created_at)
SELECT 'run_shell', now() - interval '1 hour' + n * interval '1 millisecond'
  FROM generate_series(1, $commands) AS n;

CREATE TABLE hqt_ready (worker integer PRIMARY KEY);
CREATE TABLE hqt_lease_log (worker integer, kind text, item_id uuid, attempt integer);

-- One worker: wait until all workers are connected, then lease and complete until the queue
-- is empty. Every lease and every completion commits on its own.
CREATE PROCEDURE hqt_drain(p_worker integer, p_workers integer, p_agent uuid)
LANGUAGE plpgsql AS \$\$
DECLARE
  v_id uuid;
  v_attempt integer;
BEGIN
  INSERT INTO hqt_ready VALUES (p_worker);
  COMMIT;
  WHILE (SELECT count(*) FROM hqt_ready) < p_workers LOOP
    PERFORM pg_sleep(0.005);
    COMMIT;   -- a new snapshot for the next look
  END LOOP;

  LOOP
    v_id := NULL;
    SELECT l.id, l.attempt_count INTO v_id, v_attempt
      FROM public.lease_inbox_item(p_agent, 300) AS l;
    IF v_id IS NULL THEN
      COMMIT;
      -- SKIP LOCKED returns nothing while every remaining item is being leased by others:
      -- stop only when no item is left to lease.
      EXIT WHEN NOT EXISTS (SELECT 1 FROM public.agent_inbox_items
                             WHERE agent_id = p_agent AND status IN ('pending', 'failed'));
      PERFORM pg_sleep(0.001);
      CONTINUE;
    END IF;
    INSERT INTO hqt_lease_log VALUES (p_worker, 'inbox', v_id, v_attempt);
    COMMIT;
    PERFORM public.complete_inbox_item(v_id);
    COMMIT;
  END LOOP;

  LOOP
    v_id := NULL;
    SELECT c.id INTO v_id FROM public.lease_command(300) AS c;
    IF v_id IS NULL THEN
      COMMIT;
      EXIT WHEN NOT EXISTS (SELECT 1 FROM public.agent_commands WHERE status = 'pending');
      PERFORM pg_sleep(0.001);
      CONTINUE;
    END IF;
    INSERT INTO hqt_lease_log VALUES (p_worker, 'command', v_id, NULL);
    COMMIT;
    PERFORM public.start_command(v_id);
    COMMIT;
    PERFORM public.complete_command(v_id, 0, 'ok');
    COMMIT;
  END LOOP;
END
\$\$;
GRANT ALL ON hqt_ready, hqt_lease_log TO service_role;
EOF

# The daemons run as service_role.
pids=()
for w in $(seq 1 "$workers"); do
	PGOPTIONS='-c role=service_role -c statement_timeout=60000' \
		q -c "CALL hqt_drain($w, $workers, 'a0000000-0000-0000-0000-0000000000d1')" \
		>"${TMPDIR:-/tmp}/hqt_worker_$$_$w.log" 2>&1 &
	pids+=($!)
done
bad=0
for i in "${!pids[@]}"; do
	if ! wait "${pids[i]}"; then
		bad=$((bad + 1))
		sed "s/^/# worker $((i + 1)): /" "${TMPDIR:-/tmp}/hqt_worker_$$_$((i + 1)).log"
	fi
	rm -f "${TMPDIR:-/tmp}/hqt_worker_$$_$((i + 1)).log"
done

q -A -t -v bad="$bad" -v items="$items" -v commands="$commands" -v workers="$workers" <<'EOF'
SELECT plan(13);
SELECT is(:bad, 0, 'all ' || :workers || ' worker sessions finished without error');
SELECT is((SELECT count(*)::int FROM hqt_ready), :workers, 'all workers passed the start barrier');

-- Inbox
SELECT is((SELECT count(*)::int FROM agent_inbox_items WHERE agent_slug = 'drained'), :items,
          'inbox: ' || :items || ' items');
SELECT is((SELECT count(*)::int FROM agent_inbox_items WHERE agent_slug = 'drained' AND status = 'done'), :items,
          'inbox: every item is done');
SELECT is((SELECT count(*)::int FROM agent_inbox_items WHERE agent_slug = 'drained' AND attempt_count <> 1), 0,
          'inbox: every item has attempt_count = 1 (leased exactly once)');
SELECT is((SELECT count(*)::int FROM hqt_lease_log WHERE kind = 'inbox'), :items,
          'inbox: the workers received ' || :items || ' leases in total');
SELECT is((SELECT count(DISTINCT item_id)::int FROM hqt_lease_log WHERE kind = 'inbox'), :items,
          'inbox: no item was handed to two workers');
SELECT is((SELECT count(*)::int FROM hqt_lease_log WHERE kind = 'inbox' AND attempt <> 1), 0,
          'inbox: every lease returned attempt 1');
SELECT cmp_ok((SELECT count(DISTINCT worker)::int FROM hqt_lease_log WHERE kind = 'inbox'), '>=', 2,
              'inbox: the work was really shared between sessions');
SELECT is((SELECT count(*)::int FROM agent_inbox_items
            WHERE agent_slug = 'bystander' AND status = 'pending' AND attempt_count = 0), 50,
          'inbox: another agent''s items were not touched');

-- Commands
SELECT is((SELECT count(*)::int FROM agent_commands WHERE status = 'done'), :commands,
          'commands: every command is done');
SELECT is((SELECT count(*)::int FROM hqt_lease_log WHERE kind = 'command'), :commands,
          'commands: one lease per command in total');
SELECT is((SELECT count(DISTINCT item_id)::int FROM hqt_lease_log WHERE kind = 'command'), :commands,
          'commands: no command was handed to two workers');

SELECT diag('inbox leases per worker: ' || string_agg(worker || '=' || n, ' ' ORDER BY worker))
  FROM (SELECT worker, count(*) AS n FROM hqt_lease_log WHERE kind = 'inbox' GROUP BY worker) s;
SELECT * FROM finish();
EOF
