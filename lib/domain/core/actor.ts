/** Who is making a request: a signed-in user, an API token, or the system itself. */
export interface Actor {
  type: "user" | "token" | "system" | "anonymous";
  /** user id, token id, or null */
  id: string | null;
  /** Human label for the audit log: an email, "token:<name> (<email>)", "system". */
  label: string;
  role: "admin" | "viewer";
  /** For tokens: the token's permission; users have "edit" when admin. */
  permission: "read" | "edit";
  ip?: string | null;
}

export const SYSTEM_ACTOR: Actor = { type: "system", id: null, label: "system", role: "admin", permission: "edit" };

export function canWrite(actor: Actor): boolean {
  return actor.role === "admin" && actor.permission === "edit";
}
