const BASE = "http://portcullis.invalid";

/** "//host" and "/\host" are protocol-relative to a browser (and to Next's router): another site. */
const offSite = (path: string) => /^\/[/\\]/.test(path);

/**
 * Only same-origin paths are allowed as post-sign-in destinations (no open redirects). The value is
 * checked both as given and after URL normalisation, because normalising can create "//": "/.//evil",
 * "/%2e//evil", "/..//evil" and "/.\/evil" all resolve to the path "//evil". A path that only becomes
 * "//" once percent-decoded ("/%2f%2fevil") is refused too, in case a router decodes it before navigating.
 */
export function safeCallbackPath(value: unknown): string {
  if (typeof value !== "string" || !value.startsWith("/") || offSite(value)) return "/";
  // Tabs and newlines are dropped by URL parsing ("/\t/evil" → "//evil"); no legitimate path has controls.
  if (/[\u0000-\u001f\u007f]/.test(value)) return "/";
  try {
    const url = new URL(value, BASE);
    if (url.origin !== BASE) return "/";
    const path = url.pathname + url.search + url.hash;
    if (offSite(path) || offSite(decoded(url.pathname))) return "/";
    return path;
  } catch {
    return "/";
  }
}

function decoded(pathname: string): string {
  try {
    return decodeURIComponent(pathname);
  } catch {
    return "//"; // malformed escapes: refuse
  }
}
