import type { ReactNode } from "react";
import { requireUser } from "@/lib/auth/session";

/**
 * Renders its children only for a signed-in user. For data sections that render on their own schedule
 * (streamed in a Suspense boundary, or composed by another feature): each checks the session itself
 * instead of trusting that its page did. `requireUser` is memoised per request, so this costs no query.
 */
export async function SignedIn({ children }: { children: ReactNode }) {
  await requireUser();
  return <>{children}</>;
}
