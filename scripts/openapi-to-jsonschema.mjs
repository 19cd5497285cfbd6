#!/usr/bin/env node
// Turns the Kubernetes OpenAPI v2 spec into kubeconform's strict schema layout,
// offline: DEST/_definitions.json holds every definition with
// additionalProperties:false on each object (unknown fields are errors), and
// DEST/<kind>-<group>-<version>.json points at its definition.
//   node openapi-to-jsonschema.mjs swagger.json DEST
// With --crd FILE.yaml... DEST it writes DEST/<group>/<kind>_<version>.json from
// each CRD's openAPIV3Schema instead, strict in the same way.
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseAllDocuments } from 'yaml';

const INT_OR_STRING = { oneOf: [{ type: 'string' }, { type: 'integer' }] };

// Branches of anyOf/oneOf/allOf/not only add constraints (a structural CRD keeps the fields in `properties`):
// they stay open, or a branch naming one field would forbid the others.
const BRANCHES = new Set(['anyOf', 'oneOf', 'allOf', 'not']);

function strict(schema, inBranch = false) {
  if (Array.isArray(schema)) return schema.map((s) => strict(s, inBranch));
  if (schema === null || typeof schema !== 'object') return schema;
  const out = {};
  const intOrString = schema['x-kubernetes-int-or-string'] === true || schema.format === 'int-or-string';
  for (const [k, v] of Object.entries(schema)) {
    if (k === '$ref' && typeof v === 'string') out[k] = v.replace('#/definitions/', '_definitions.json#/definitions/');
    else if (intOrString && (k === 'x-kubernetes-int-or-string' || k === 'format' || k === 'type' || k === 'anyOf')) continue;
    else out[k] = strict(v, inBranch || BRANCHES.has(k));
  }
  if (intOrString) Object.assign(out, INT_OR_STRING);
  if (!inBranch && (out.type === 'object' || out.properties) && out.properties && out.additionalProperties === undefined && !out['x-kubernetes-preserve-unknown-fields']) {
    out.additionalProperties = false;
  }
  return out;
}

function fromOpenApi(specPath, dest) {
  const spec = JSON.parse(readFileSync(specPath, 'utf8'));
  const defs = {};
  for (const [name, def] of Object.entries(spec.definitions)) {
    defs[name] = name.endsWith('util.intstr.IntOrString') || name.endsWith('api.resource.Quantity') ? INT_OR_STRING : strict(def);
  }
  // Definitions reference each other inside the same file.
  const text = JSON.stringify({ definitions: defs }).replaceAll('"_definitions.json#/definitions/', '"#/definitions/');
  mkdirSync(dest, { recursive: true });
  writeFileSync(join(dest, '_definitions.json'), text);
  let count = 0;
  for (const [name, def] of Object.entries(spec.definitions)) {
    for (const gvk of def['x-kubernetes-group-version-kind'] ?? []) {
      const group = gvk.group ? `-${gvk.group.split('.')[0]}` : '';
      const file = `${gvk.kind.toLowerCase()}${group}-${gvk.version}.json`;
      writeFileSync(join(dest, file), JSON.stringify({ $ref: `_definitions.json#/definitions/${name}` }));
      count++;
    }
  }
  console.error(`wrote ${count} kind schemas to ${dest}`);
}

function fromCrds(files, dest) {
  for (const file of files) {
    for (const doc of parseAllDocuments(readFileSync(file, 'utf8'))) {
      const crd = doc.toJS();
      if (crd?.kind !== 'CustomResourceDefinition') continue;
      for (const version of crd.spec.versions) {
        const dir = join(dest, crd.spec.group);
        mkdirSync(dir, { recursive: true });
        const schema = strict(version.schema.openAPIV3Schema);
        // metadata is validated by the ObjectMeta rules of the API server, not here.
        schema.properties.metadata = { type: 'object' };
        writeFileSync(join(dir, `${crd.spec.names.kind.toLowerCase()}_${version.name}.json`), JSON.stringify(schema));
      }
    }
  }
}

const args = process.argv.slice(2);
if (args[0] === '--crd') fromCrds(args.slice(1, -1), args.at(-1));
else fromOpenApi(args[0], args[1]);
