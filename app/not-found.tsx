import Link from "next/link";
import { buttonClass } from "@/components/ui/button";

export default function NotFound() {
  return (
    <main className="flex min-h-screen flex-col items-center justify-center gap-3 px-4 text-center">
      <h1 className="text-2xl font-semibold">Page not found</h1>
      <p className="text-sm text-slate-600 dark:text-slate-400">The page you asked for does not exist or was removed.</p>
      <Link href="/" className={buttonClass("secondary")}>
        Back to Overview
      </Link>
    </main>
  );
}
