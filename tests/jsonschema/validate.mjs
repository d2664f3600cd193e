// validate.mjs - checks hqc schema YAML files against docs/hqc-schema.json, the
// JSON Schema that editors (yaml-language-server) use, and checks that the JSON
// Schema accepts exactly the keys and choices the compiler accepts.
//
//   node validate.mjs SCHEMA.json FILE.yaml...   each file must be valid
//   node validate.mjs --check-keys GEN_DIR SCHEMA.json
//
// Problems are printed as file:line:col: message; exit status 1 when any file
// is invalid (or the key lists disagree), 2 on usage errors.
import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import Ajv from 'ajv';
import { LineCounter, isMap, isPair, isScalar, parseDocument } from 'yaml';

function usage() {
  console.error('usage: node validate.mjs SCHEMA.json FILE.yaml...\n' +
                '       node validate.mjs --check-keys GEN_DIR SCHEMA.json');
  process.exit(2);
}

function loadSchema(path) {
  const schema = JSON.parse(readFileSync(path, 'utf8'));
  // strict: unknown keywords and other schema mistakes are errors, not ignored.
  const ajv = new Ajv({ allErrors: true, strict: true, strictRequired: false, allowUnionTypes: true });
  return { schema, validate: ajv.compile(schema) };
}

// Position of the YAML node at an ajv instancePath ("/tables/t/columns/c").
// For an unknown key, the key itself.
function position(doc, lines, instancePath, extraKey) {
  const path = instancePath.split('/').slice(1).map((s) => s.replace(/~1/g, '/').replace(/~0/g, '~'));
  let node = doc.contents;
  for (const seg of path) {
    const next = node && typeof node.get === 'function' ? node.get(isMap(node) ? seg : Number(seg), true) : null;
    if (!next)
      break;
    node = next;
  }
  if (extraKey !== undefined && isMap(node)) {
    const pair = node.items.find((p) => isPair(p) && isScalar(p.key) && String(p.key.value) === extraKey);
    if (pair)
      node = pair.key;
  }
  const offset = node && node.range ? node.range[0] : 0;
  const { line, col } = lines.linePos(offset);
  return `${line}:${col}`;
}

function describe(e) {
  switch (e.keyword) {
  case 'additionalProperties':
    return `unknown key "${e.params.additionalProperty}"`;
  case 'enum':
    return `${e.message}: ${e.params.allowedValues.join(', ')}`;
  default:
    return e.propertyName !== undefined ? `key "${e.propertyName}": ${e.message}` : e.message;
  }
}

function validateFiles(schemaPath, files) {
  const { validate } = loadSchema(schemaPath);
  let bad = 0;
  for (const file of files) {
    const lines = new LineCounter();
    const doc = parseDocument(readFileSync(file, 'utf8'), { lineCounter: lines, prettyErrors: false });
    const problems = [];
    for (const err of doc.errors) {
      const { line, col } = lines.linePos(err.pos[0]);
      problems.push(`${file}:${line}:${col}: invalid YAML: ${err.message.split('\n')[0]}`);
    }
    if (!problems.length && !validate(doc.toJS())) {
      // "if" and "propertyNames" wrappers only repeat what the errors below them say.
      for (const e of validate.errors.filter((x) => x.keyword !== 'if' && x.keyword !== 'propertyNames')) {
        const key = e.keyword === 'additionalProperties' ? e.params.additionalProperty : e.propertyName;
        const where = position(doc, lines, e.instancePath, key);
        problems.push(`${file}:${where}: ${e.instancePath || '/'}: ${describe(e)}`);
      }
    }
    if (problems.length) {
      bad++;
      for (const p of [...new Set(problems)])
        console.log(p);
    }
  }
  console.log(`${files.length - bad} of ${files.length} files valid`);
  return bad ? 1 : 0;
}

// ---- --check-keys ----------------------------------------------------------

// Every `static const char *const NAME[] = {"a", "b", NULL};` of gen/model/build*.c.
function compilerArrays(genDir) {
  const arrays = [];
  for (const f of readdirSync(genDir).filter((n) => /^build.*\.c$/.test(n)).sort()) {
    const src = readFileSync(join(genDir, f), 'utf8');
    const re = /static const char \*const (\w+)\[\] = \{([^}]*)\};/g;
    for (let m; (m = re.exec(src));) {
      const values = [...m[2].matchAll(/"([^"]*)"/g)].map((x) => x[1]);
      // Arrays passed to bu_choice in the same file are choice lists.
      const choice = new RegExp(`bu_choice\\([^;]*\\b${m[1]}\\b`).test(src);
      arrays.push({ file: f, name: m[1], values, choice });
    }
  }
  return arrays;
}

// Closed objects (additionalProperties: false) and string enums of the schema.
function schemaShapes(schema) {
  const closed = [], enums = [];
  const walk = (node, where) => {
    if (Array.isArray(node)) {
      node.forEach((n, i) => walk(n, `${where}/${i}`));
      return;
    }
    if (!node || typeof node !== 'object')
      return;
    if (node.additionalProperties === false && node.properties)
      closed.push({ where, keys: Object.keys(node.properties) });
    if (Array.isArray(node.enum) && node.enum.every((v) => typeof v === 'string'))
      enums.push({ where, values: node.enum });
    for (const [k, v] of Object.entries(node))
      if (!(k === 'enum' && Array.isArray(v)))
        walk(v, `${where}/${k}`);
  };
  walk(schema, '#');
  return { closed, enums };
}

const setKey = (values) => [...values].sort().join(',');

function checkKeys(genDir, schemaPath) {
  const { schema } = loadSchema(schemaPath);
  const arrays = compilerArrays(genDir);
  const { closed, enums } = schemaShapes(schema);
  const keyArrays = arrays.filter((a) => /keys$/.test(a.name) || a.name === 'top');
  const choiceArrays = arrays.filter((a) => a.choice);
  if (keyArrays.length < 20 || choiceArrays.length < 8) {
    console.log(`found only ${keyArrays.length} key lists and ${choiceArrays.length} choice lists in ${genDir}: ` +
                'has the declaration style changed?');
    return 1;
  }
  let failed = 0;
  const closedSets = new Set(closed.map((c) => setKey(c.keys)));
  const compilerSets = new Set(keyArrays.map((a) => setKey(a.values)));
  for (const a of keyArrays)
    if (!closedSets.has(setKey(a.values))) {
      console.log(`${genDir}/${a.file}: ${a.name} {${a.values.join(', ')}} matches no object of the JSON Schema`);
      failed++;
    }
  for (const c of closed)
    if (!compilerSets.has(setKey(c.keys))) {
      console.log(`${schemaPath}: ${c.where} {${c.keys.join(', ')}} matches no key list of the compiler`);
      failed++;
    }
  // "unset" and "none" lead a few choice lists as the value meaning "not given";
  // the language documents only the other values.
  const enumSets = new Set(enums.map((e) => setKey(e.values)));
  for (const a of choiceArrays) {
    const values = a.values.filter((v) => v !== 'unset' && v !== 'none');
    if (!enumSets.has(setKey(values))) {
      console.log(`${genDir}/${a.file}: choices ${a.name} {${values.join(', ')}} match no enum of the JSON Schema`);
      failed++;
    }
  }
  console.log(`${keyArrays.length} key lists and ${choiceArrays.length} choice lists of the compiler checked ` +
              `against ${closed.length} objects and ${enums.length} enums: ${failed ? `${failed} mismatches` : 'agree'}`);
  return failed ? 1 : 0;
}

const argv = process.argv.slice(2);
if (argv[0] === '--check-keys') {
  if (argv.length !== 3)
    usage();
  process.exit(checkKeys(argv[1], argv[2]));
}
if (argv.length < 2)
  usage();
process.exit(validateFiles(argv[0], argv.slice(1)));
