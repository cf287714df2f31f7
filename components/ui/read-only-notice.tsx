import { Notice } from "./notice";

/** Shown to viewers on pages with write controls; the server refuses their writes regardless. */
export function ReadOnlyNotice({ ask = "make changes", className = "mb-4" }: { ask?: string; className?: string }) {
  return (
    <Notice tone="info" className={className}>
      You have read-only access (viewer role). Ask an admin to {ask}.
    </Notice>
  );
}
