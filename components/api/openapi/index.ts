/**
 * Reads an OpenAPI 3.1 document into what the API page renders: operations grouped by tag (parameters and
 * request bodies with their references resolved), and JSON Schemas flattened into field rows. Server-only work:
 * nothing here is shipped to the browser, so the page's first-load JS does not grow with the document.
 */
export * from "./document";
export { slug, schemaAnchor, resolvePointer, refName } from "./pointer";
export * from "./schema";
export * from "./curl";
