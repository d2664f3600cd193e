#!/usr/bin/env node
// PGlite (PostgreSQL compiled to WASM, with pgvector) served over the
// PostgreSQL wire protocol, so psql and libpq-based hqc tests can use it.
//
//   node server.mjs [--host 127.0.0.1] [--port 0] [--path /dir/.s.PGSQL.5432]
//                   [--data memory://] [--max-connections 4]
//                   [--ready-file FILE] [--parent-pid PID]
//
// --port 0 lets the kernel pick a free port. Once the server listens, the
// port (or socket path) is written atomically to --ready-file, which is what
// start.sh waits for. With --parent-pid the server exits by itself when that
// process is gone, so a test that dies without calling stop.sh leaves no
// server behind.
//
// Caveat: PGlite is a single backend. All client connections share ONE
// session (a SET, a temp table or an open transaction leaks from one
// connection into the next), and pg_cron does not exist here.

import { parseArgs } from 'node:util';
import { writeFileSync, renameSync } from 'node:fs';
import { PGlite } from '@electric-sql/pglite';
import { PGLiteSocketServer } from '@electric-sql/pglite-socket';

const { values: opt } = parseArgs({
  options: {
    host: { type: 'string', default: '127.0.0.1' },
    port: { type: 'string', default: '0' },
    path: { type: 'string' },
    data: { type: 'string', default: 'memory://' },
    'max-connections': { type: 'string', default: '4' },
    'ready-file': { type: 'string' },
    'parent-pid': { type: 'string' },
    debug: { type: 'boolean', default: false },
  },
});

const log = (...args) => console.error(`[pglite-server ${new Date().toISOString()}]`, ...args);

// Optional extension bundles: a missing one is reported, not fatal, so the
// schema's "optional extensions degrade cleanly" path can be exercised too.
async function loadExtension(name, candidates) {
  for (const [module, symbol] of candidates) {
    try {
      const mod = await import(module);
      if (mod[symbol]) {
        log(`extension ${name}: loaded from ${module}`);
        return mod[symbol];
      }
    } catch {
      // try the next candidate
    }
  }
  log(`extension ${name}: not available`);
  return undefined;
}

const extensions = {};
const bundles = {
  // pgvector moved out of the main package in PGlite 0.5; older releases
  // shipped it as @electric-sql/pglite/vector.
  vector: [['@electric-sql/pglite-pgvector', 'vector'], ['@electric-sql/pglite/vector', 'vector']],
  pgcrypto: [['@electric-sql/pglite/contrib/pgcrypto', 'pgcrypto']],
  uuid_ossp: [['@electric-sql/pglite/contrib/uuid_ossp', 'uuid_ossp']],
};
for (const [name, candidates] of Object.entries(bundles)) {
  const ext = await loadExtension(name, candidates);
  if (ext) extensions[name] = ext;
}

const db = await PGlite.create(opt.data, { extensions });
const server = new PGLiteSocketServer({
  db,
  host: opt.host,
  port: Number.parseInt(opt.port, 10),
  path: opt.path,
  maxConnections: Number.parseInt(opt['max-connections'], 10),
  debug: opt.debug,
});

let stopping = false;
async function shutdown(code, why) {
  if (stopping) return;
  stopping = true;
  log(`stopping (${why})`);
  try {
    await server.stop();
    await db.close();
  } catch (err) {
    log('error while stopping:', err);
    code = code || 1;
  }
  process.exit(code);
}

server.addEventListener('listening', (ev) => {
  const where = ev.detail.path ?? String(ev.detail.port);
  log(`listening on ${ev.detail.path ?? `${ev.detail.host}:${ev.detail.port}`}`);
  if (opt['ready-file']) {
    const tmp = `${opt['ready-file']}.tmp`;
    writeFileSync(tmp, `${where}\n`);
    renameSync(tmp, opt['ready-file']);
  }
});
server.addEventListener('error', (ev) => log('socket error:', ev.detail));

process.on('SIGTERM', () => shutdown(0, 'SIGTERM'));
process.on('SIGINT', () => shutdown(0, 'SIGINT'));

if (opt['parent-pid']) {
  const parent = Number.parseInt(opt['parent-pid'], 10);
  setInterval(() => {
    try {
      process.kill(parent, 0);
    } catch (err) {
      if (err.code === 'ESRCH') shutdown(0, `parent ${parent} exited`);
    }
  }, 1000);
}

try {
  await server.start();
} catch (err) {
  log('cannot start:', err);
  await db.close();
  process.exit(1);
}
