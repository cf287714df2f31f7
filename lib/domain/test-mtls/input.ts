/**
 * The tester's input (see CONTRACT in ./index.ts): the fields validated (zod), the certificate refused when it holds
 * a private key, the URL split and its path normalised as the gateway does, the service token and the application
 * looked up; every refusal a field error. What comes out is the request to decide.
 */
import { z } from "zod";
import { normalizeTarget, serviceTokenVerdict, type ServiceTokenVerdict } from "../../access";
import { normalizeHostname } from "../../hostname";
import { parseIp } from "../../policy";
import { getApplication } from "../applications";
import { containsPrivateKey, PRIVATE_KEY_REFUSAL } from "../certificates";
import { fail, ok, zodFieldErrors, type Result } from "../core/result";
import { serviceTokenState } from "../service-tokens";
import type { EvaluateOptions } from "./types";

export const MAX_TEST_CERTIFICATE_BYTES = 1024 * 1024;
export const URL_HINT = "Enter a URL such as https://app.example.com/admin";
const URL_FORM = /^(https?):\/\/([^/?#@\s]+)([^#\s]*)(#.*)?$/i;

/** `https://host[:port]/path?query` → its parts, or a field error (the path normalised as the gateway does). */
export function parseTestUrl(input: string): { ok: true; hostname: string; authority: string; scheme: string; target: string } | { ok: false; error: string } {
  const m = URL_FORM.exec(input.trim());
  if (!m) return { ok: false, error: URL_HINT };
  const authority = m[2].toLowerCase();
  const port = /:(\d{1,5})$/.exec(authority);
  if (port && Number(port[1]) > 65535) return { ok: false, error: `${URL_HINT} (the port ${port[1]} is not a port number)` };
  const host = normalizeHostname(port ? authority.slice(0, -port[0].length) : authority);
  if (!host.ok) return { ok: false, error: `${URL_HINT} (${host.error})` };
  const rest = m[3] === "" ? "/" : m[3].startsWith("?") ? `/${m[3]}` : m[3];
  return { ok: true, hostname: host.hostname, authority, scheme: m[1].toLowerCase(), target: rest };
}

const testInputSchema = z
  .object({
    hostname: z.string({ error: "Hostname must be text" }).trim().optional(),
    application_id: z.string({ error: "Application must be an application ID" }).trim().optional(),
    url: z.string({ error: URL_HINT }).trim().max(8192, "The URL must be at most 8192 characters").optional(),
    ip: z
      .string({ error: "Client IP must be an IP address such as 192.0.2.10" })
      .trim()
      .optional()
      .refine((s) => !s || parseIp(s) !== null, "Client IP must be an IP address such as 192.0.2.10 or 2001:db8::1"),
    sni: z.string({ error: "TLS server name must be a hostname, or empty for none" }).trim().max(253, "TLS server name must be at most 253 characters").optional(),
    service_token_id: z.string({ error: "Service token must be a service token's ID or Client ID" }).trim().max(100, "Service token must be a service token's ID or Client ID").optional(),
    email: z
      .string({ error: "Email must be an email address such as someone@example.com" })
      .trim()
      .max(320, "Email must be at most 320 characters")
      .optional()
      .refine((s) => !s || /^[^\s@]+@[^\s@]+$/.test(s), "Email must be an email address such as someone@example.com")
      .transform((s) => (s ? s.toLowerCase() : undefined)),
    certificate: z
      .string({ error: "Client certificate must be PEM text" })
      .refine((s) => s.length <= MAX_TEST_CERTIFICATE_BYTES, "The client certificate must be at most 1 MiB")
      .optional()
      .transform((s) => (s && s.trim() ? s : undefined)),
    at: z
      .string({ error: "Validation time must be an ISO 8601 date and time" })
      .trim()
      .optional()
      .transform((s, c) => {
        if (!s) return undefined;
        const d = new Date(s);
        if (Number.isNaN(d.getTime())) {
          c.addIssue({ code: "custom", message: `Validation time "${s}" is not a date and time (use e.g. 2030-01-31T12:00:00Z)` });
          return z.NEVER;
        }
        return d;
      }),
  })
  .superRefine((v, c) => {
    if (!v.hostname && !v.application_id && !v.url) c.addIssue({ code: "custom", path: ["hostname"], message: "Choose an application or enter a hostname" });
    // A service token or an email can be tested alone: a client that sends no certificate.
    if (!v.certificate && !v.service_token_id && !v.email) {
      c.addIssue({ code: "custom", path: ["certificate"], message: "Client certificate is required: paste the PEM or upload the file (or test a service token or an email without one)" });
    }
  });

const urlError = (message: string) => fail("validation", message, { url: [message] });

/** A valid input, resolved: the hostname to load, the certificate, and how to decide (the SNI by name). */
export interface TestRequest {
  hostname: string;
  certificate: string | null;
  options: Omit<EvaluateOptions, "sni">;
  /** the TLS server name, normalised ("" = none sent); undefined: not given */
  sniName: string | undefined;
}

/** Validates the page's, the API's or the CLI's input and resolves it to the request to decide. */
export async function parseTestInput(input: unknown): Promise<Result<TestRequest>> {
  const raw = input as { certificate?: unknown } | null;
  if (containsPrivateKey(raw?.certificate)) return fail("validation", PRIVATE_KEY_REFUSAL, { certificate: [PRIVATE_KEY_REFUSAL] });
  const parsed = testInputSchema.safeParse(input ?? {});
  if (!parsed.success) {
    const fieldErrors = zodFieldErrors(parsed.error.issues);
    return fail("validation", Object.values(fieldErrors)[0]?.[0] ?? "Check the highlighted fields.", fieldErrors);
  }
  const d = parsed.data;
  const ip = d.ip || undefined;
  let serviceToken: ServiceTokenVerdict | undefined;
  if (d.service_token_id) {
    const state = await serviceTokenState(d.service_token_id);
    if (!state) {
      const m = "No service token has this ID or Client ID (Access controls → Service Tokens lists them)";
      return fail("validation", m, { service_token_id: [m] });
    }
    serviceToken = serviceTokenVerdict(state, "current", (d.at ?? new Date()).getTime());
  }
  let sniName: string | undefined;
  if (d.sni !== undefined && d.sni !== "") {
    const norm = normalizeHostname(d.sni);
    if (!norm.ok) return fail("validation", `TLS server name: ${norm.error}`, { sni: [`TLS server name: ${norm.error}`] });
    sniName = norm.hostname;
  } else if (d.sni === "") sniName = "";
  let hostname: string | null = null;
  if (d.hostname) {
    const norm = normalizeHostname(d.hostname);
    if (!norm.ok) return fail("validation", norm.error, { hostname: [norm.error] });
    hostname = norm.hostname;
  }
  let appHost: string | null = null;
  let appPath = "/";
  if (d.application_id) {
    const app = await getApplication(d.application_id);
    if (!app) return fail("not_found", "That application does not exist (it may have been deleted).", { application_id: ["That application does not exist."] });
    const slash = app.domain.indexOf("/");
    appHost = (slash < 0 ? app.domain : app.domain.slice(0, slash)).toLowerCase();
    appPath = slash < 0 ? "/" : app.domain.slice(slash);
  }
  if (d.url) {
    const u = parseTestUrl(d.url);
    if (!u.ok) return urlError(u.error);
    if (hostname && hostname !== u.hostname) return urlError(`The URL's host ${u.hostname} is not the hostname ${hostname}; leave one of them empty or make them agree`);
    if (appHost && appHost !== u.hostname && !(appHost.startsWith("*.") && u.hostname.endsWith(appHost.slice(1)))) {
      return urlError(`The URL's host ${u.hostname} is not the chosen application's domain ${appHost}`);
    }
    const target = normalizeTarget(u.target, u.authority);
    if (!target.ok) return urlError(`The URL's path was refused: ${target.error}`);
    return ok({ hostname: u.hostname, certificate: d.certificate ?? null, options: { at: d.at, path: target.target, ip, url: `${u.scheme}://${u.authority}${target.target}`, serviceToken, email: d.email }, sniName });
  }
  const host = appHost ?? hostname!;
  const path = appHost ? appPath : "/";
  const target = normalizeTarget(path, host);
  return ok({ hostname: host, certificate: d.certificate ?? null, options: { at: d.at, path: target.ok ? target.target : "/", ip, serviceToken, email: d.email }, sniName });
}
