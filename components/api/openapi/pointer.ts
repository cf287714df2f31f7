/** Anchors on the page and local JSON references (`#/components/schemas/Name`) inside the document. */
import type { OpenApiDocument } from "./document";

/** A string safe to use inside an id attribute and a URL fragment. */
export function slug(s: string): string {
  return s
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, "-")
    .replace(/^-|-$/g, "");
}

export const schemaAnchor = (name: string) => `schema-${slug(name)}`;

/** Follows a local JSON pointer ("#/components/schemas/Name"); undefined when it points nowhere. */
export function resolvePointer(doc: OpenApiDocument, ref: string): unknown {
  if (!ref.startsWith("#/")) return undefined;
  let node: unknown = doc;
  for (const raw of ref.slice(2).split("/")) {
    const key = decodeURIComponent(raw).replace(/~1/g, "/").replace(/~0/g, "~");
    if (node === null || typeof node !== "object" || !Object.hasOwn(node, key)) return undefined;
    node = (node as Record<string, unknown>)[key];
  }
  return node;
}

/** The last segment of a reference: the name a reader knows the schema by. */
export const refName = (ref: string) => decodeURIComponent(ref.slice(ref.lastIndexOf("/") + 1));

/** Follows references (a chain of them, but never round in a circle) to the object they name. */
export function deref<T>(doc: OpenApiDocument, node: T | { $ref: string }): T | undefined {
  const seen = new Set<string>();
  let cur: unknown = node;
  while (cur && typeof cur === "object" && typeof (cur as { $ref?: unknown }).$ref === "string") {
    const ref = (cur as { $ref: string }).$ref;
    if (seen.has(ref)) return undefined;
    seen.add(ref);
    cur = resolvePointer(doc, ref);
  }
  return cur as T | undefined;
}
