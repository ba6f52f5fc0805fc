// check.mjs validates KQL queries with Microsoft's Kusto.Language (the
// parser and semantic analyzer behind the Azure Data Explorer, Defender
// and Sentinel editors, published on npm as @kusto/language-service-next,
// pinned in package-lock.json).
//
// Usage: node check.mjs SCHEMA_FILE SCHEMA_NAME < queries.jsonl
//
// SCHEMA_FILE maps schema names to {tables: {T: {columns: {C: type}}},
// functions: {F: {parameters: "(...)", columns: {...}}}}. Each stdin line is
// {"id": "...", "query": "..."}; each output line is {"id", "ok", "errors"},
// where errors lists the Error-severity diagnostics (code, message, offset).
// Tests drive it through the Go package in this directory.
import { createRequire } from 'node:module';
import fs from 'node:fs';
import readline from 'node:readline';

const require = createRequire(import.meta.url);
require('@kusto/language-service-next/bridge.min.js');
require('@kusto/language-service-next/Kusto.Language.Bridge.min.js');
const K = globalThis.Kusto.Language;

// Kusto's schema strings name columns as identifiers or ['...'].
function columnList(columns) {
  const cols = Object.entries(columns).map(([name, type]) => {
    const id = /^[A-Za-z_][A-Za-z0-9_]*$/.test(name) ? name : `['${name.replace(/[\\']/g, (c) => '\\' + c)}']`;
    return `${id}:${type}`;
  });
  return `(${cols.join(', ')})`;
}

function globalsFor(schema) {
  const S = K.Symbols;
  const members = [];
  for (const [name, t] of Object.entries(schema.tables || {})) {
    members.push(new S.TableSymbol.$ctor7(name, columnList(t.columns), null));
  }
  for (const [name, f] of Object.entries(schema.functions || {})) {
    // The parameter list is parsed by Kusto itself (defaults included);
    // the result is a fixed table, which is what the ASIM parsers return.
    const result = new S.TableSymbol.$ctor7(null, columnList(f.columns), null);
    const sig = new S.FunctionSymbol.$ctor16(name, f.parameters || '()', '{ print x=1 }', null);
    members.push(new S.FunctionSymbol.$ctor6(name, result, sig.Signatures.getItem(0).Parameters, null));
  }
  return K.GlobalState.Default.WithDatabase(new S.DatabaseSymbol.$ctor1('db', members, false));
}

function errorsOf(globals, query) {
  const diags = K.KustoCode.ParseAndAnalyze(query, globals).GetDiagnostics();
  const out = [];
  for (let i = 0; i < diags.Count; i++) {
    const d = diags.getItem(i);
    if (d.Severity === 'Error') out.push({ code: d.Code, message: d.Message, offset: d.Start });
  }
  return out;
}

const [schemaFile, schemaName] = process.argv.slice(2);
const schemas = JSON.parse(fs.readFileSync(schemaFile, 'utf8'));
if (!schemas[schemaName]) {
  console.error(`no schema ${schemaName} in ${schemaFile}`);
  process.exit(2);
}
const globals = globalsFor(schemas[schemaName]);
const lines = readline.createInterface({ input: process.stdin, crlfDelay: Infinity });
const out = [];
for await (const line of lines) {
  if (!line.trim()) continue;
  const { id, query } = JSON.parse(line);
  let errors;
  try {
    errors = errorsOf(globals, query);
  } catch (e) {
    errors = [{ code: 'INTERNAL', message: String(e && e.message || e), offset: 0 }];
  }
  out.push(JSON.stringify({ id, ok: errors.length === 0, errors }));
}
process.stdout.write(out.join('\n') + (out.length ? '\n' : ''));
