/**
 * fast-check arbitraries from the JSON Schemas of an OpenAPI document: values the document says are
 * valid, and values it says are not (one field broken at a time). Covers the keywords our schemas
 * use (type, enum/const, anyOf/oneOf/allOf, properties/required/additionalProperties/minProperties,
 * items/minItems/maxItems/uniqueItems, minLength/maxLength/pattern/format, minimum/maximum).
 */
import fc from 'fast-check';

/** A JSON Schema as it appears in the document. */
export type Schema = Record<string, unknown> & {
  type?: string | string[];
  properties?: Record<string, Schema>;
  required?: string[];
  items?: Schema;
  anyOf?: Schema[];
  oneOf?: Schema[];
  allOf?: Schema[];
  enum?: unknown[];
};

const ISO_MIN = new Date('1900-01-01T00:00:00Z');
const ISO_MAX = new Date('2100-01-01T00:00:00Z');
const dates = fc.date({ min: ISO_MIN, max: ISO_MAX, noInvalidDate: true });

function stringArb(s: Schema): fc.Arbitrary<string> {
  const min = (s.minLength as number | undefined) ?? 0;
  const max = Math.min((s.maxLength as number | undefined) ?? 40, 200);
  const fits = (v: string) => v.length >= min && v.length <= max;
  switch (s.format) {
    case 'email':
      return fc.emailAddress().filter(fits);
    case 'date':
      return dates.map((d) => d.toISOString().slice(0, 10));
    case 'date-time':
      return dates.map((d) => d.toISOString());
    case 'binary':
      return fc.constant('');
  }
  if (typeof s.pattern === 'string') {
    const pattern = s.pattern;
    // An unanchored pattern matches inside any string: anchor it so the value stays short.
    const anchored = pattern.startsWith('^') ? pattern : `^.{0,8}${pattern}.{0,8}$`;
    return fc.stringMatching(new RegExp(anchored, 'u')).filter(fits);
  }
  return fc.string({ minLength: min, maxLength: Math.max(min, Math.min(max, 40)), unit: 'grapheme' }).filter(fits);
}

/** Values valid for `schema` (the caller re-checks them with Ajv; a generator bug must not pass as a server bug). */
export function validArb(schema: Schema): fc.Arbitrary<unknown> {
  if ('const' in schema) return fc.constant(schema.const);
  if (schema.enum) return fc.constantFrom(...schema.enum);
  const choices = schema.anyOf ?? schema.oneOf;
  if (choices) return fc.oneof(...choices.map(validArb));
  if (schema.allOf) return validArb(mergeAll(schema.allOf));
  if (Array.isArray(schema.type)) return fc.oneof(...schema.type.map((type) => validArb({ ...schema, type })));
  switch (schema.type) {
    case 'null':
      return fc.constant(null);
    case 'boolean':
      return fc.boolean();
    case 'integer': {
      const min = (schema.minimum as number | undefined) ?? -1000;
      const max = (schema.maximum as number | undefined) ?? 100_000;
      // multipleOf (booking's 5-minute grid): a multiple within the bounds.
      const step = schema.multipleOf as number | undefined;
      if (step) return fc.integer({ min: Math.ceil(min / step), max: Math.floor(max / step) }).map((n) => n * step);
      return fc.integer({ min, max });
    }
    case 'number':
      return fc.double({ min: (schema.minimum as number | undefined) ?? -1000, max: (schema.maximum as number | undefined) ?? 100_000, noNaN: true });
    case 'string':
      return stringArb(schema);
    case 'array': {
      const item = schema.items ? validArb(schema.items) : fc.anything();
      const constraints = { minLength: (schema.minItems as number | undefined) ?? 0, maxLength: Math.min((schema.maxItems as number | undefined) ?? 3, 3) };
      return schema.uniqueItems ? fc.uniqueArray(item, { ...constraints, selector: (v) => JSON.stringify(v) }) : fc.array(item, constraints);
    }
    case 'object':
    case undefined: {
      const props = schema.properties ?? {};
      const model = Object.fromEntries(Object.entries(props).map(([k, v]) => [k, validArb(v)]));
      const record = fc.record(model, { requiredKeys: (schema.required ?? []).filter((k) => k in props) });
      const minProps = (schema.minProperties as number | undefined) ?? 0;
      return minProps > 0 ? record.filter((r) => Object.keys(r).length >= minProps) : record;
    }
    default:
      return fc.anything();
  }
}

/** One schema from `allOf` parts (objects: properties and required lists joined). */
function mergeAll(parts: Schema[]): Schema {
  const out: Schema = { type: 'object', properties: {}, required: [] };
  for (const p of parts) {
    Object.assign(out.properties!, p.properties);
    out.required!.push(...(p.required ?? []));
  }
  return out;
}

/** Values of every JSON type, and strings that look like numbers and booleans (coercion bait). */
const OTHER_TYPES: unknown[] = [false, null, 'text', 42, [], {}, 3.5, '5', 'true'];

/**
 * Invalid variants of a valid value: the whole value of another type, a required field missing, an
 * unknown field, and each field of another type. The caller keeps those Ajv confirms are invalid.
 */
export function invalidVariants(schema: Schema, valid: unknown): unknown[] {
  const out: unknown[] = [null, [], 'text', false];
  if (valid && typeof valid === 'object' && !Array.isArray(valid)) {
    const v = valid as Record<string, unknown>;
    for (const key of schema.required ?? []) {
      out.push(Object.fromEntries(Object.entries(v).filter(([k]) => k !== key)));
    }
    out.push({ ...v, unexpectedField: 'x' });
    for (const [key, propSchema] of Object.entries(schema.properties ?? {})) {
      for (const wrong of OTHER_TYPES) out.push({ ...v, [key]: wrong });
      if (propSchema.type === 'string') out.push({ ...v, [key]: 'a\u0007b' }, { ...v, [key]: 'x'.repeat(((propSchema.maxLength as number | undefined) ?? 100_000) + 1) });
    }
  }
  return out;
}
