import { Fragment } from "react";
import { Badge } from "../ui/badge";
import { cn } from "../ui/cn";
import { CodeExample } from "./code-example";
import { curlExample, readOpenApi, type ApiModel, type HttpMethod, type Operation } from "./openapi";
import { Prose, REFERENCE_STYLES, RefTable, SchemaNotes, SchemaView, TypeView } from "./schema-view";

const METHOD_TONE: Record<HttpMethod, "blue" | "green" | "amber" | "red" | "neutral"> = {
  get: "blue",
  post: "green",
  put: "amber",
  patch: "amber",
  delete: "red",
  head: "neutral",
  options: "neutral",
  trace: "neutral",
};

function Method({ method }: { method: HttpMethod }) {
  return (
    <Badge tone={METHOD_TONE[method]} className="font-mono uppercase">
      {method}
    </Badge>
  );
}

/** The path as a client calls it: relative to the base URL, or with its own server's prefix when it has one. */
const displayPath = (model: ApiModel, op: Operation) => (op.server === model.server ? op.path : `${op.server.replace(/\/$/, "")}${op.path}`);

function OperationView({ model, op, origin, known }: { model: ApiModel; op: Operation; origin: string; known: Record<string, string> }) {
  const heading = `${op.anchor}-heading`;
  const path = displayPath(model, op);
  const bodies = op.responses.filter((r) => r.status.startsWith("2") && r.schema);
  return (
    <article id={op.anchor} aria-labelledby={heading} className="scroll-mt-4 space-y-4 border-t border-slate-200 pt-6 dark:border-slate-800">
      <div className="space-y-1">
        <h4 id={heading} className="text-base font-semibold">
          {op.summary}
        </h4>
        <p className="flex flex-wrap items-center gap-2 text-sm">
          <Method method={op.method} />
          <code className="break-all">{path}</code>
          {op.deprecated ? <Badge tone="amber">deprecated</Badge> : null}
        </p>
        {op.server !== model.server ? (
          <small>
            Served under <code>{op.server}</code>, not under the base URL.
          </small>
        ) : null}
        {op.description ? (
          <p className="text-sm">
            <Prose text={op.description} />
          </p>
        ) : null}
      </div>

      <div className="space-y-2">
        <h5 className="text-sm font-semibold">Parameters</h5>
        {op.parameters.length ? (
          <RefTable caption="Parameters" head={["Name", "In", "Type", "Required", "Description"]}>
            {op.parameters.map((p) => (
              <tr key={`${p.in}:${p.name}`}>
                <td className="font-mono">{p.name}</td>
                <td>{p.in}</td>
                <td>
                  <TypeView schema={p.schema} />
                </td>
                <td>{p.required ? "required" : "optional"}</td>
                <td>
                  <SchemaNotes schema={p.description ? { ...p.schema, description: p.description } : p.schema} />
                </td>
              </tr>
            ))}
          </RefTable>
        ) : (
          <p className="text-sm">No parameters.</p>
        )}
      </div>

      {op.requestBody ? (
        <div className="space-y-2">
          <h5 className="text-sm font-semibold">Request body</h5>
          <small>
            <code>{op.requestBody.contentType}</code>
            {op.requestBody.required ? ", required" : ", optional"}
            {op.requestBody.description ? (
              <>
                {" — "}
                <Prose text={op.requestBody.description} />
              </>
            ) : null}
          </small>
          <SchemaView doc={model.doc} schema={op.requestBody.schema} caption="Request body fields" />
        </div>
      ) : null}

      <div className="space-y-2">
        <h5 className="text-sm font-semibold">Responses</h5>
        <RefTable caption="Responses" head={["Status", "Description", "Body"]}>
          {op.responses.map((r) => (
            <tr key={r.status}>
              <td className="font-mono">{r.status}</td>
              <td>
                <Prose text={r.description} />
                {r.headers.map((h) => (
                  <small key={h.name}>
                    Header <code>{h.name}</code>: <TypeView schema={h.schema} />
                    {h.description ? <> — {h.description}</> : null}
                  </small>
                ))}
              </td>
              <td>{r.schema ? <TypeView schema={r.schema} /> : "none"}</td>
            </tr>
          ))}
        </RefTable>
        {bodies.map((r) => (
          <div key={r.status} className="space-y-2">
            <h6 className="text-sm font-medium">Response {r.status} body</h6>
            <SchemaView doc={model.doc} schema={r.schema!} caption={`Response ${r.status} fields`} />
          </div>
        ))}
      </div>

      <CodeExample title={`${op.method.toUpperCase()} ${path} (curl)`} code={curlExample(model.doc, op, origin, known)} />
    </article>
  );
}

/**
 * The OpenAPI document as a navigable reference, rendered on the server with the console's own components: a
 * contents list by tag, each operation with its parameters, request body, responses and a curl example, and
 * every schema. The only client code is the copy button of each example.
 */
export function ApiReference({ document, origin, accountId, zoneId }: { document: unknown; origin: string; accountId: string; zoneId?: string }) {
  const model = readOpenApi(document);
  const known: Record<string, string> = { ...(accountId ? { account_id: accountId } : {}), ...(zoneId ? { zone_id: zoneId } : {}) };
  return (
    <section aria-labelledby="reference-heading" className="space-y-3">
      <h2 id="reference-heading" className="text-lg font-semibold">
        Interactive reference
      </h2>
      <div className={cn("rounded-lg border border-slate-200 bg-white p-5 dark:border-slate-800 dark:bg-slate-900", REFERENCE_STYLES)}>
        <div className="mb-6 space-y-2 text-sm">
          <h3 className="text-xl font-semibold">{model.title}</h3>
          <small>
            Version {model.version} · OpenAPI {model.openapi} · base URL <code>{model.server}</code>
          </small>
          {model.description ? (
            <p className="max-w-3xl">
              <Prose text={model.description} />
            </p>
          ) : null}
          {model.security.length ? (
            <dl className="grid grid-cols-[max-content_1fr] gap-x-4 gap-y-1 text-xs">
              {model.security.map((s) => (
                <Fragment key={s.name}>
                  <dt className="font-mono">{s.summary}</dt>
                  <dd>{s.description}</dd>
                </Fragment>
              ))}
            </dl>
          ) : null}
        </div>
        <div className="lg:grid lg:grid-cols-[15rem_minmax(0,1fr)] lg:gap-8">
          <nav aria-label="API reference contents" className="mb-8 text-sm lg:sticky lg:top-4 lg:mb-0 lg:max-h-[calc(100vh-2rem)] lg:self-start lg:overflow-y-auto">
            <ul className="space-y-4">
              {model.tags.map((tag) => (
                <li key={tag.anchor}>
                  <a className="font-semibold" href={`#${tag.anchor}`}>
                    {tag.name}
                  </a>
                  <ul className="mt-1 space-y-1">
                    {tag.operations.map((op) => (
                      <li key={op.anchor} className="flex items-start gap-2">
                        <Method method={op.method} />
                        <a href={`#${op.anchor}`}>{op.summary}</a>
                      </li>
                    ))}
                  </ul>
                </li>
              ))}
              {model.schemas.length ? (
                <li>
                  <a className="font-semibold" href="#schemas">
                    Schemas
                  </a>
                </li>
              ) : null}
            </ul>
          </nav>
          <div className="min-w-0 space-y-10">
            {model.tags.map((tag) => (
              <section key={tag.anchor} id={tag.anchor} aria-labelledby={`${tag.anchor}-heading`} className="scroll-mt-4 space-y-4">
                <div>
                  <h3 id={`${tag.anchor}-heading`} className="text-lg font-semibold">
                    {tag.name}
                  </h3>
                  {tag.description ? (
                    <p className="text-sm text-slate-600 dark:text-slate-300">
                      <Prose text={tag.description} />
                    </p>
                  ) : null}
                </div>
                {tag.operations.map((op) => (
                  <OperationView key={op.anchor} model={model} op={op} origin={origin} known={known} />
                ))}
              </section>
            ))}
            {model.schemas.length ? (
              <section id="schemas" aria-labelledby="schemas-heading" className="scroll-mt-4 space-y-6">
                <h3 id="schemas-heading" className="text-lg font-semibold">
                  Schemas
                </h3>
                {model.schemas.map((s) => (
                  <article key={s.anchor} id={s.anchor} aria-labelledby={`${s.anchor}-heading`} className="scroll-mt-4 space-y-2 border-t border-slate-200 pt-4 dark:border-slate-800">
                    <h4 id={`${s.anchor}-heading`} className="font-mono text-base font-semibold">
                      {s.name}
                    </h4>
                    <SchemaView doc={model.doc} schema={s.schema} caption={`Fields of ${s.name}`} />
                  </article>
                ))}
              </section>
            ) : null}
          </div>
        </div>
      </div>
    </section>
  );
}
