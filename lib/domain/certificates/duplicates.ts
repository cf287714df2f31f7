/**
 * "Is this CA already uploaded?" — pure, shared by the server (create and API responses) and the Add mTLS
 * page's inspector, so both word it the same way. A duplicate is a warning, never a refusal: the same CA under
 * two names is legitimate (for example while hostnames move from one entry to the other).
 */
export interface KnownChain {
  name: string;
  /** SHA-256 fingerprints (as lib/pki formats them) of the stored chain's certificates. */
  sha256: readonly string[];
}

const norm = (fp: string) => fp.replace(/[^0-9a-f]/gi, "").toLowerCase();

/** One message naming every stored entry that shares a certificate with the uploaded chain; null when none does. */
export function duplicateCaWarning(uploaded: readonly string[], known: readonly KnownChain[]): string | null {
  const mine = new Set(uploaded.map(norm).filter(Boolean));
  if (!mine.size) return null;
  const names = known.filter((k) => k.sha256.some((fp) => mine.has(norm(fp)))).map((k) => `“${k.name}”`);
  if (!names.length) return null;
  const list = names.length === 1 ? names[0] : `${names.slice(0, -1).join(", ")} and ${names[names.length - 1]}`;
  return `This CA is already uploaded as ${list}. Saving it again creates a second entry; associate hostnames with the existing one instead if that is what you meant.`;
}
