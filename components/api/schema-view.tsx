import { Fragment, type ReactNode } from "react";
import {
  composition,
  constraints,
  enumValues,
  fieldRows,
  inheritedRefs,
  literal,
  refName,
  resolvePointer,
  schemaAnchor,
  schemaExample,
  typeLabel,
  type OpenApiDocument,
  type Schema,
} from "./openapi";

/*
 * These components carry almost no classes of their own: the reference's root styles its tables, links and small
 * print once (REFERENCE_STYLES), because the page repeats them in thousands of cells and every class would be sent
 * twice (in the HTML and in the server-component payload). Colours go through custom properties set on the root
 * for light and dark: a `dark:[&_a]:…` rule would be emitted before its `[&_a]:…` counterpart and lose to it.
 * Dark links use brand-300 when the theme defines it, sky-300 until then.
 */
export const REFERENCE_STYLES = [
  "[--ref-link:var(--color-brand-700)] [--ref-muted:var(--color-slate-600)] [--ref-head:var(--color-slate-50)] [--ref-line:var(--color-slate-100)]",
  "dark:[--ref-link:var(--color-brand-300,var(--color-sky-300))] dark:[--ref-muted:var(--color-slate-300)] dark:[--ref-head:var(--color-slate-800)] dark:[--ref-line:var(--color-slate-800)]",
  "[&_a]:text-(--ref-link) [&_a]:underline",
  "[&_table]:min-w-full [&_table]:text-xs",
  "[&_th]:bg-(--ref-head) [&_th]:px-3 [&_th]:py-2 [&_th]:text-left [&_th]:font-semibold [&_th]:tracking-wide [&_th]:text-(--ref-muted) [&_th]:uppercase",
  "[&_td]:border-t [&_td]:border-(--ref-line) [&_td]:px-3 [&_td]:py-2 [&_td]:align-top",
  "[&_small]:mt-0.5 [&_small]:block [&_small]:text-xs [&_small]:text-(--ref-muted)",
].join(" ");

/** Text from the document, where `backticks` mark code (the only Markdown the document uses). */
export function Prose({ text }: { text: string }) {
  if (!text.includes("`")) return <>{text}</>;
  return (
    <>
      {text.split(/`([^`]+)`/).map((part, i) => (i % 2 ? <code key={i}>{part}</code> : <Fragment key={i}>{part}</Fragment>))}
    </>
  );
}

/** A table with a caption for assistive technology; cells are styled by the reference's root. */
export function RefTable({ caption, head, children }: { caption: string; head: string[]; children: ReactNode }) {
  return (
    <div className="overflow-x-auto rounded-md border border-slate-200 dark:border-slate-800">
      <table>
        <caption className="sr-only">{caption}</caption>
        <thead>
          <tr>
            {head.map((h) => (
              <th key={h} scope="col">
                {h}
              </th>
            ))}
          </tr>
        </thead>
        <tbody>{children}</tbody>
      </table>
    </div>
  );
}

/** A schema's type, with every referenced schema a link to its entry under Schemas. */
export function TypeView({ schema }: { schema: Schema }): ReactNode {
  if (typeof schema.$ref === "string") return <a href={`#${schemaAnchor(refName(schema.$ref))}`}>{refName(schema.$ref)}</a>;
  const c = composition(schema);
  if (c && !("const" in schema)) {
    return (
      <>
        {{ oneOf: "one of", anyOf: "any of", allOf: "all of" }[c.kind]}:{" "}
        {c.parts.map((p, i) => (
          <Fragment key={i}>
            {i > 0 ? " · " : null}
            <TypeView schema={p} />
          </Fragment>
        ))}
      </>
    );
  }
  const items = schema.items as Schema | undefined;
  if (schema.type === "array" && items && typeof items === "object") {
    return (
      <>
        array of <TypeView schema={items} />
      </>
    );
  }
  return typeLabel(schema);
}

/** Description, then validation rules, allowed values and example of one schema as small print. */
export function SchemaNotes({ schema, prefix }: { schema: Schema; prefix?: string }) {
  const rules = constraints(schema);
  const values = enumValues(schema);
  const ex = schemaExample(schema);
  return (
    <>
      {prefix ? <strong>{prefix} </strong> : null}
      {typeof schema.description === "string" ? <Prose text={schema.description} /> : null}
      {values ? (
        <small>
          Allowed:{" "}
          {values.map((v, i) => (
            <Fragment key={i}>
              {i > 0 ? ", " : null}
              <code>{literal(v)}</code>
            </Fragment>
          ))}
        </small>
      ) : null}
      {rules.length ? <small>{rules.join(" · ")}</small> : null}
      {ex && (ex.value === null || typeof ex.value !== "object") ? (
        <small>
          Example: <code>{literal(ex.value)}</code>
        </small>
      ) : null}
    </>
  );
}

/** The schema without its examples (shown in full below the table rather than as small print). */
function withoutExamples(s: Schema): Schema {
  const rest = { ...s };
  delete rest.examples;
  delete rest.example;
  return rest;
}

/**
 * A schema as a table of its fields (nested objects and array items as dotted rows), preceded by its type and
 * description and followed by its example. `caption` names the table for assistive technology.
 */
export function SchemaView({ doc, schema, caption }: { doc: OpenApiDocument; schema: Schema; caption: string }) {
  const rows = fieldRows(doc, schema);
  // A reference at the top is shown by name and followed for its description, fields and example.
  const resolved = typeof schema.$ref === "string" ? resolvePointer(doc, schema.$ref) : schema;
  const target = resolved && typeof resolved === "object" ? (resolved as Schema) : undefined;
  const inherited = target ? inheritedRefs(target) : [];
  const ex = schemaExample(target ?? {});
  return (
    <div className="space-y-2 text-sm">
      <div>
        <strong>Type:</strong> <TypeView schema={schema} />
        {target ? (
          <div className="mt-1">
            <SchemaNotes schema={withoutExamples(target)} />
          </div>
        ) : null}
        {inherited.length ? (
          <small>
            Includes every field of{" "}
            {inherited.map((r, i) => (
              <Fragment key={r}>
                {i > 0 ? ", " : null}
                <a href={`#${schemaAnchor(refName(r))}`}>{refName(r)}</a>
              </Fragment>
            ))}
            .
          </small>
        ) : null}
      </div>
      {rows.length ? (
        <RefTable caption={caption} head={["Field", "Type", "Required", "Description"]}>
          {rows.map((r, i) => (
            <tr key={`${r.name}-${i}`}>
              <td className="font-mono whitespace-nowrap" style={r.depth ? { paddingLeft: `${0.75 + r.depth}rem` } : undefined}>
                {r.name}
              </td>
              <td>
                <TypeView schema={r.schema} />
              </td>
              <td>{r.required ? "required" : (r.requiredOneOf ?? "optional")}</td>
              <td>
                <SchemaNotes schema={r.schema} prefix={r.variant ? `In ${r.variant}:` : undefined} />
              </td>
            </tr>
          ))}
        </RefTable>
      ) : null}
      {ex ? (
        <figure>
          <figcaption className="text-xs font-medium">Example</figcaption>
          <pre tabIndex={0} className="mt-1 overflow-x-auto rounded-md bg-slate-900 p-3 text-xs text-slate-100 focus-visible:outline-2 focus-visible:outline-offset-2 focus-visible:outline-brand-500">
            <code>{JSON.stringify(ex.value, null, 2)}</code>
          </pre>
        </figure>
      ) : null}
    </div>
  );
}
