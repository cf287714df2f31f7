/** Only same-origin paths are allowed as post-sign-in destinations (no open redirects). */
export function safeCallbackPath(value: unknown): string {
  if (typeof value !== "string" || !value.startsWith("/") || value.startsWith("//") || value.startsWith("/\\")) return "/";
  if (/[\u0000-\u001f]/.test(value)) return "/";
  try {
    const url = new URL(value, "http://portcullis.invalid");
    if (url.origin !== "http://portcullis.invalid") return "/";
    return url.pathname + url.search + url.hash;
  } catch {
    return "/";
  }
}
