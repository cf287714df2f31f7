/** Example requests: a curl command per operation. */
import type { OpenApiDocument, Operation } from "./document";
import { sampleValue } from "./schema";

/** `http://host` + a server URL that may be relative ("/client/v4") or absolute. */
export function serverUrl(origin: string, server: string): string {
  try {
    return new URL(server, `${origin}/`).href.replace(/\/$/, "");
  } catch {
    return origin;
  }
}

const shellQuote = (s: string) => `'${s.replace(/'/g, `'\\''`)}'`;
const envName = (param: string) => param.toUpperCase().replace(/[^A-Z0-9]+/g, "_");

/**
 * A curl command for the operation with the Bearer token from the environment: the account id filled in, other
 * path parameters as shell variables, and a request body that fits the schema.
 */
export function curlExample(doc: OpenApiDocument, op: Operation, origin: string, known: Record<string, string> = {}): string {
  const path = op.path.replace(/\{([^}]+)\}/g, (_, name: string) => known[name] ?? `$${envName(name)}`);
  const lines = [`curl -s${op.method === "get" ? "" : ` -X ${op.method.toUpperCase()}`} "${serverUrl(origin, op.server)}${path}"`];
  lines.push(`  -H "Authorization: Bearer $PORTCULLIS_API_TOKEN"`);
  if (op.requestBody) {
    lines.push(`  -H "Content-Type: ${op.requestBody.contentType}"`);
    lines.push(`  --data ${shellQuote(JSON.stringify(sampleValue(doc, op.requestBody.schema)))}`);
  }
  return lines.join(" \\\n");
}
