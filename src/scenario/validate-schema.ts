import { readFileSync } from 'node:fs';
import { Ajv2020 } from 'ajv/dist/2020.js';
import type { ErrorObject } from 'ajv/dist/2020.js';
import { SCENARIO_SCHEMA_PATH } from '../assets.js';
import { SchemaExplainer } from './schema-explainer.js';
import type { IssueDraft } from './schema-explainer.js';

const SCHEMA_KEY = 'scenario';

interface CompiledSchema {
  readonly validate: (data: unknown) => ErrorObject[];
  readonly explainer: SchemaExplainer;
}
let compiled: CompiledSchema | undefined;

/** Compiles `schemas/scenario.schema.json` once: strict, all errors, no type coercion, no defaults. */
function compile(): CompiledSchema {
  const schema = JSON.parse(readFileSync(SCENARIO_SCHEMA_PATH, 'utf8')) as Record<string, unknown>;
  const ajv = new Ajv2020({
    allErrors: true,
    verbose: true,
    strict: true,
    strictRequired: false,
    allowUnionTypes: true,
    allowMatchingProperties: true,
  });
  // Editors show `errorMessage`; the explainer uses it in place of ajv's words.
  ajv.addKeyword({ keyword: 'errorMessage', schemaType: 'string' });
  ajv.addSchema(schema, SCHEMA_KEY);
  const validatorAt = (pointer: string): ((data: unknown) => ErrorObject[]) | undefined => {
    const validate = ajv.getSchema(`${SCHEMA_KEY}#${pointer}`);
    if (validate === undefined) return undefined;
    return (data) => (validate(data) ? [] : [...(validate.errors ?? [])]);
  };
  const root = validatorAt('');
  if (root === undefined) throw new Error('scenario schema failed to compile');
  return { validate: root, explainer: new SchemaExplainer(schema, validatorAt) };
}

/** Problems of `data` against the scenario schema, explained; empty when it conforms. */
export function validateAgainstSchema(data: unknown): IssueDraft[] {
  compiled ??= compile();
  const errors = compiled.validate(data);
  return errors.length === 0 ? [] : compiled.explainer.explain(errors);
}
