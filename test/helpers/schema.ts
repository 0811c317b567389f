import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import ajvModule from 'ajv';
import ajvFormats from 'ajv-formats';

// CommonJS packages with an `exports.default`; under NodeNext the default import is module.exports.
const Ajv = ajvModule.default;
const addFormats = ajvFormats.default;
const ajv = new Ajv({ allErrors: true, strict: true });
addFormats(ajv);
const compiled = new Map<string, ReturnType<typeof ajv.compile>>();

/** Asserts a document validates against one of the published schemas in docs/schemas. */
export function assertSchema(name: string, doc: unknown): void {
  let validate = compiled.get(name);
  if (!validate) {
    validate = ajv.compile(
      JSON.parse(readFileSync(new URL(`../../docs/schemas/${name}`, import.meta.url), 'utf8')),
    );
    compiled.set(name, validate);
  }
  assert.ok(validate(doc), `${name}: ${ajv.errorsText(validate.errors)}`);
}
