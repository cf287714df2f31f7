/** JSON Schemas in words for the API page: type labels, constraints, field rows, and sample values that fit. */
import type { OpenApiDocument, Schema } from "./document";
import { deref, refName, resolvePointer } from "./pointer";

const asSchemas = (v: unknown): Schema[] => (Array.isArray(v) ? v.filter((s): s is Schema => !!s && typeof s === "object") : []);
const asSchema = (v: unknown): Schema | undefined => (v && typeof v === "object" && !Array.isArray(v) ? (v as Schema) : undefined);

/** A JSON value as a short literal for a type cell. */
export const literal = (v: unknown) => JSON.stringify(v) ?? String(v);

/** The kind of composition a schema uses, if any. */
export function composition(s: Schema): { kind: "oneOf" | "anyOf" | "allOf"; parts: Schema[] } | undefined {
  for (const kind of ["oneOf", "anyOf", "allOf"] as const) {
    const parts = asSchemas(s[kind]);
    if (parts.length) return { kind, parts };
  }
  return undefined;
}

/**
 * `anyOf: [{ required: [a] }, { required: [b] }]` on an object: not variants with fields of their own but "at least
 * one of these fields". The field lists, or undefined when the schema's composition is anything else.
 */
export function requiredAlternatives(s: Schema): string[][] | undefined {
  const c = composition(s);
  if (!c || c.kind === "allOf") return undefined;
  const lists = c.parts.map((p) => (Object.keys(p).length === 1 && Array.isArray(p.required) ? (p.required as string[]) : null));
  return lists.every((l): l is string[] => l !== null) ? lists : undefined;
}

/** A short type for a schema: `string`, `string | null`, `array of Rule`, `one of: string · object`, `"self_hosted"`. */
export function typeLabel(s: Schema): string {
  if (typeof s.$ref === "string") return refName(s.$ref);
  if ("const" in s) return literal(s.const);
  const c = composition(s);
  if (c) {
    const words = { oneOf: "one of", anyOf: "any of", allOf: "all of" }[c.kind];
    return `${words}: ${c.parts.map(typeLabel).join(" · ")}`;
  }
  const types = Array.isArray(s.type) ? (s.type as string[]) : typeof s.type === "string" ? [s.type] : [];
  const label = (t: string) => {
    if (t === "array") {
      const items = asSchema(s.items);
      return items ? `array of ${typeLabel(items)}` : "array";
    }
    if (t === "string" && typeof s.format === "string") return `string (${s.format})`;
    return t;
  };
  if (types.length) return types.map(label).join(" | ");
  if (Array.isArray(s.enum)) return `enum (${typeof s.enum[0] === "number" ? "number" : "string"})`;
  if (asSchema(s.properties)) return "object";
  if (asSchema(s.items)) return label("array");
  return "any";
}

/** Validation keywords in words, in a fixed order. */
export function constraints(s: Schema): string[] {
  const out: string[] = [];
  const num = (k: string) => (typeof s[k] === "number" ? (s[k] as number) : undefined);
  const pairs: [string, string][] = [
    ["minimum", "≥"],
    ["exclusiveMinimum", ">"],
    ["maximum", "≤"],
    ["exclusiveMaximum", "<"],
  ];
  for (const [k, sym] of pairs) if (num(k) !== undefined) out.push(`${sym} ${num(k)}`);
  const range = (min: string, max: string, unit: string) => {
    const lo = num(min);
    const hi = num(max);
    if (lo !== undefined && hi !== undefined) out.push(lo === hi ? `exactly ${lo} ${unit}` : `${lo}–${hi} ${unit}`);
    else if (lo !== undefined) out.push(`at least ${lo} ${unit}`);
    else if (hi !== undefined) out.push(`at most ${hi} ${unit}`);
  };
  range("minLength", "maxLength", "characters");
  range("minItems", "maxItems", "items");
  range("minProperties", "maxProperties", "properties");
  if (s.uniqueItems === true) out.push("unique items");
  if (typeof s.pattern === "string") out.push(`pattern ${s.pattern}`);
  if (s.additionalProperties === false) out.push("no other properties");
  if ("default" in s) out.push(`default ${literal(s.default)}`);
  return out;
}

/** The allowed values of an enum, when the schema (or the items of an array schema) lists them. */
export function enumValues(s: Schema): unknown[] | undefined {
  if (Array.isArray(s.enum)) return s.enum;
  const items = asSchema(s.items);
  return items && Array.isArray(items.enum) ? items.enum : undefined;
}

export interface FieldRow {
  /** Dotted path: `settings[].hostname`. */
  name: string;
  depth: number;
  schema: Schema;
  required: boolean;
  /** "one of certificate, email": the field, or another of these, must be given. */
  requiredOneOf?: string;
  /** "In option 2: " when the field belongs to one variant of a oneOf/anyOf. */
  variant?: string;
}

const MAX_DEPTH = 6;

/**
 * A schema's fields as rows, nested objects and array items inline (`include[]`, `settings[].hostname`), one
 * level per object. References stay references (the reader follows the link to the schema): that keeps every table
 * finite, even for a schema that refers to itself.
 */
export function fieldRows(doc: OpenApiDocument, root: Schema): FieldRow[] {
  const rows: FieldRow[] = [];
  const visit = (s: Schema, prefix: string, depth: number, variant: string | undefined) => {
    if (depth > MAX_DEPTH || typeof s.$ref === "string") return;
    const props = asSchema(s.properties);
    const required = new Set(Array.isArray(s.required) ? (s.required as string[]) : []);
    const alternatives = requiredAlternatives(s);
    const oneOf = alternatives ? `one of ${[...new Set(alternatives.flat())].join(", ")}` : undefined;
    if (props) {
      for (const [key, raw] of Object.entries(props)) {
        const child = asSchema(raw) ?? {};
        const name = prefix ? `${prefix}.${key}` : key;
        const requiredOneOf = alternatives?.some((l) => l.includes(key)) ? oneOf : undefined;
        rows.push({ name, depth, schema: child, required: required.has(key), ...(requiredOneOf ? { requiredOneOf } : {}), variant });
        visit(child, name, depth + 1, variant);
      }
    }
    const items = asSchema(s.items);
    if (items && typeof items.$ref !== "string" && (asSchema(items.properties) || composition(items))) visit(items, `${prefix}[]`, depth, variant);
    const c = alternatives ? undefined : composition(s);
    if (c) {
      c.parts.forEach((part, i) => {
        // allOf parts all apply; a oneOf/anyOf variant's fields apply only when that variant is chosen.
        visit(part, prefix, depth, c.kind === "allOf" ? variant : `option ${i + 1}`);
      });
    }
  };
  visit(deref<Schema>(doc, root) ?? root, "", 0, undefined);
  return rows;
}

/** The references an allOf at the top of a schema pulls in (their fields are listed under their own names). */
export function inheritedRefs(s: Schema): string[] {
  return asSchemas(s.allOf)
    .map((p) => p.$ref)
    .filter((r): r is string => typeof r === "string");
}

/** The first example a schema gives (`examples[0]`, or the older `example`). */
export function schemaExample(s: Schema): { value: unknown } | undefined {
  if (Array.isArray(s.examples) && s.examples.length) return { value: s.examples[0] };
  if ("example" in s) return { value: s.example };
  return undefined;
}

const FORMAT_SAMPLES: Record<string, string> = {
  uuid: "00000000-0000-4000-8000-000000000000",
  "date-time": "2026-01-01T00:00:00Z",
  date: "2026-01-01",
  email: "user@example.com",
  uri: "https://example.com/",
  hostname: "app.example.com",
};

/**
 * A value that fits the schema, for example requests: the schema's own example when it has one, otherwise its
 * required fields filled with their examples, defaults or a placeholder per type.
 */
export function sampleValue(doc: OpenApiDocument, s: Schema, seen: ReadonlySet<string> = new Set()): unknown {
  if (typeof s.$ref === "string") {
    if (seen.has(s.$ref)) return {};
    const target = asSchema(resolvePointer(doc, s.$ref));
    return target ? sampleValue(doc, target, new Set([...seen, s.$ref])) : {};
  }
  const ex = schemaExample(s);
  if (ex) return ex.value;
  if ("const" in s) return s.const;
  if ("default" in s) return s.default;
  if (Array.isArray(s.enum) && s.enum.length) return s.enum[0];
  const alternatives = requiredAlternatives(s);
  const c = alternatives ? undefined : composition(s);
  if (c && c.kind !== "allOf") return sampleValue(doc, c.parts[0], seen);
  if (c) return Object.assign({}, ...c.parts.map((p) => sampleValue(doc, p, seen)).filter((v) => v && typeof v === "object"));
  const type = Array.isArray(s.type) ? (s.type as string[]).find((t) => t !== "null") : (s.type as string | undefined);
  const props = asSchema(s.properties);
  if (type === "object" || (!type && props)) {
    const required = [...(Array.isArray(s.required) ? (s.required as string[]) : []), ...(alternatives?.[0] ?? [])];
    return Object.fromEntries(required.map((k) => [k, sampleValue(doc, asSchema(props?.[k]) ?? {}, seen)]));
  }
  if (type === "array") {
    const items = asSchema(s.items);
    return items ? [sampleValue(doc, items, seen)] : [];
  }
  if (type === "integer" || type === "number") return typeof s.minimum === "number" ? s.minimum : 1;
  if (type === "boolean") return false;
  if (type === "null") return null;
  if (type === "string") return (typeof s.format === "string" && FORMAT_SAMPLES[s.format]) || "string";
  return null;
}
