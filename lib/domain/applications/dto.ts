/** An application as the API and the console show it, and as the gateway decides with it. */
import type { applications } from "../../db/schema";
import type { PolicyForEval } from "../../policy";
import type { PolicyDto } from "../policies";

export type AppPolicyDto = PolicyDto & { precedence: number };

export interface ApplicationDto {
  id: string;
  /** Audience tag: 64 hex characters, generated. */
  aud: string;
  name: string;
  domain: string;
  type: "self_hosted";
  session_duration: string;
  policies: AppPolicyDto[];
  created_at: string;
  updated_at: string;
  version: number;
  /** Where the gateway proxies allowed requests (http or https URL), or null. */
  origin_url: string | null;
  /** The login methods (ids) it offers for signing in at the gateway; [] = every login method (Cloudflare's allowed_idps). */
  allowed_idps: string[];
}

export interface ApplicationForGateway {
  id: string;
  aud: string;
  name: string;
  domain: string;
  /** host as stored: exact, or a leading wildcard such as `*.example.com` */
  hostname: string;
  /** "" for the whole host, else "/admin" */
  path: string;
  session_duration: string;
  origin_url: string | null;
  /** in precedence order */
  policies: PolicyForEval[];
  /** login method ids it offers; [] or absent = every login method */
  allowed_idps?: string[];
}

export type AppRow = typeof applications.$inferSelect;

export function toDto(row: AppRow, pols: AppPolicyDto[], idps: string[]): ApplicationDto {
  return {
    id: row.id,
    aud: row.aud,
    name: row.name,
    domain: row.domain,
    type: "self_hosted",
    session_duration: row.sessionDuration,
    policies: pols,
    created_at: row.createdAt.toISOString(),
    updated_at: row.updatedAt.toISOString(),
    version: row.version,
    origin_url: row.originUrl ?? null,
    allowed_idps: idps,
  };
}
