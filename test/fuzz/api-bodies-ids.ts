/**
 * The REST API fuzz test's (./api-bodies) cases on the path and the credentials: ids of every shape in the path of
 * the routes that take one, and hostile credentials on every route (with the token check and the catch-all).
 */
import fc from "fast-check";
import { expect, it } from "vitest";
import { API_CODES } from "@/lib/api/errors";
import { hostileString } from "./api-arbitraries";
import { enc, load, type Answer, type ApiArea, type Handler, type Route } from "./api-routes";

/** What these cases use of the harness in ./api-bodies. */
export interface ApiHarness {
  area: ApiArea;
  routes: () => Route[];
  accountId: () => string;
  inArea: (rs: Route[]) => Route[];
  send: (route: Route, body: BodyInit | undefined, opts?: { contentType?: string | null; params?: Record<string, string>; headers?: Record<string, string> }) => Promise<Answer>;
  validShape: (route: Route) => fc.Arbitrary<Record<string, unknown>>;
  /** Counts routes only some cases send to (the DELETEs, the token check), for the coverage line. */
  addExtraRoutes: (n: number) => void;
  runs: number;
}

/** Declares the path-id and credential cases, in the describe block of ./api-bodies. */
export function pathAndCredentialCases(h: ApiHarness) {
  it("path ids of every shape on PUT and DELETE: 404 (or the write), never a 5xx", async () => {
    const idRoutes = h.routes().filter((r) => r.method === "PUT" && r.shape !== "settings" && r.shape !== "revocationSettings");
    const [policy, app, cert, crl] = await Promise.all([load.policy(), load.app(), load.cert(), load.crl()]);
    const base = (rest: string) => `/accounts/${h.accountId()}/access/${rest}`;
    const deletes = h.inArea([
      { name: "DELETE policies/:id", area: "access", method: "DELETE", mod: policy, params: () => ({}), path: (p) => base(`policies/${enc(p.policy_id)}`), shape: "none" },
      { name: "DELETE apps/:id", area: "access", method: "DELETE", mod: app, params: () => ({}), path: (p) => base(`apps/${enc(p.app_id)}`), shape: "none" },
      { name: "DELETE certificates/:id", area: "certificates", method: "DELETE", mod: cert, params: () => ({}), path: (p) => base(`certificates/${enc(p.certificate_id)}`), shape: "none" },
      { name: "GET certificates/:id/crl (any id)", area: "revocation", method: "GET", mod: crl, params: () => ({}), path: (p) => base(`certificates/${enc(p.certificate_id)}/crl`), shape: "none" },
      { name: "DELETE certificates/:id/crl (any id)", area: "revocation", method: "DELETE", mod: crl, params: () => ({}), path: (p) => base(`certificates/${enc(p.certificate_id)}/crl`), shape: "none" },
    ]);
    h.addExtraRoutes(deletes.length);
    const id = fc.oneof(fc.uuid(), fc.string({ maxLength: 60 }), hostileString.map((s) => s.slice(0, 2000)), fc.constantFrom("", "..", "%2e%2e", "00000000-0000-0000-0000-000000000000", "null", "undefined", "__proto__", "constructor"));
    for (const route of [...idRoutes, ...deletes]) {
      const key = route.name.startsWith("PUT policies") || route.name.startsWith("DELETE policies") ? "policy_id" : route.name.includes("apps") ? "app_id" : "certificate_id";
      await fc.assert(
        fc.asyncProperty(id, h.validShape(route.method === "PUT" ? route : h.routes()[0]), async (value, body) => {
          const a = await h.send(route, route.method === "GET" ? undefined : JSON.stringify(body), { params: { [key]: value } });
          expect([400, 404], a.text).toContain(a.status);
        }),
        { numRuns: h.runs },
      );
    }
  });

  it("hostile credentials: 401 envelope on every route", async () => {
    const verify = await load.verify();
    const noRoute = await load.noRoute();
    const extra = h.inArea([
      { name: "GET user/tokens/verify", area: "access", method: "GET", mod: verify, params: () => ({}), path: () => "/user/tokens/verify", shape: "none" },
    ]);
    h.addExtraRoutes(extra.length);
    const header = fc.oneof(
      fc.string({ maxLength: 200 }).map((s) => s.replace(/[\r\n\u0000]/g, "")),
      fc.string({ maxLength: 80 }).map((s) => `Bearer ${s.replace(/[\s\u0000]/g, "")}`),
      fc.constantFrom("Bearer", "Bearer ", "bearer pc_", "Basic YTpi", `Bearer pc_${"a".repeat(5000)}`, "Bearer __proto__"),
    );
    for (const route of [...h.routes(), ...extra]) {
      await fc.assert(
        fc.asyncProperty(header, fc.constantFrom("authorization", "x-auth-key", "x-auth-user-service-key"), async (value, name) => {
          let headers: Record<string, string>;
          try {
            headers = Object.fromEntries(new Headers({ [name]: value }).entries());
          } catch {
            return; // not a header value an HTTP client can send
          }
          if (name === "x-auth-key") headers["x-auth-email"] = "fuzz@example.com";
          const a = await h.send(route, route.method === "GET" ? undefined : "{}", { headers });
          if (route.shape !== "none" || route.method === "GET") expect(a.status).toBe(401);
        }),
        { numRuns: h.runs },
      );
    }
    // The catch-all answers any method and path with a JSON 404 (checked once, with the access routes).
    if (h.area === "access") for (const method of ["GET", "POST", "PUT", "PATCH", "DELETE"] as const) {
      const res = await (noRoute[method] as Handler)(new Request(`http://127.0.0.1/client/v4/no/such/${"%00".repeat(10)}`, { method, body: method === "GET" ? undefined : "\u0000" }), {
        params: Promise.resolve({}),
      });
      expect(res.status).toBe(404);
      expect((await res.json()).errors[0].code).toBe(API_CODES.noRoute);
    }
  });
}
