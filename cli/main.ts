/** `portcullis` command dispatcher. Add a command: one line in COMMANDS. */
import { UsageError, type Command } from "./command";
import { testCommand } from "./test";
import { verifyCommand } from "./verify";
import { exportCommand } from "./export";

const COMMANDS: Record<string, Command> = {
  verify: verifyCommand,
  export: exportCommand,
  test: testCommand,
};

function help(): string {
  const width = Math.max(...Object.keys(COMMANDS).map((k) => k.length));
  return [
    "Usage: portcullis <command> [options]",
    "",
    "Commands:",
    ...Object.entries(COMMANDS).map(([name, c]) => `  ${name.padEnd(width)}  ${c.summary}`),
    "",
    "Run `portcullis <command> --help` for the options of a command.",
  ].join("\n");
}

async function main(argv: string[]): Promise<number> {
  const [name, ...rest] = argv;
  if (!name || name === "--help" || name === "-h" || name === "help") {
    console.log(help());
    return name ? 0 : 1;
  }
  const cmd = COMMANDS[name];
  if (!cmd) {
    console.error(`portcullis: unknown command "${name}" (try --help)`);
    return 1;
  }
  try {
    return await cmd.run(rest);
  } catch (e) {
    if (e instanceof UsageError) {
      console.error(`portcullis ${name}: ${e.message}`);
      return 1;
    }
    throw e;
  }
}

main(process.argv.slice(2)).then(
  (code) => process.exit(code),
  (e) => {
    console.error(`portcullis: ${(e as Error).message}`);
    process.exit(1);
  },
);
