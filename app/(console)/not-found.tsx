import Link from "next/link";
import { buttonClass } from "@/components/ui/button";

export default function ConsoleNotFound() {
  return (
    <div className="py-10 text-center">
      <h1 className="text-2xl font-semibold">Not found</h1>
      <p className="mt-1 text-sm text-slate-600 dark:text-slate-400">It may have been deleted by another admin.</p>
      <Link href="/" className={`${buttonClass("secondary")} mt-4`}>
        Back to Overview
      </Link>
    </div>
  );
}
