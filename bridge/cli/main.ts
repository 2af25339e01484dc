#!/usr/bin/env node
/**
 * `shoreguard-gitops`: sandbox policies as YAML in Git, synced through ShoreGuard's
 * export → dry-run → apply flow. This file only declares the commands and flags; each command's
 * code is loaded when it runs, so `--version` and `--help` load nothing but commander (cold start
 * matters in CI, where the command runs once per job).
 *
 * Exit codes: 0 clean (in sync / applied / valid), 1 changes (drift, vote recorded), 2 error or
 * bad input. With --detailed-exitcode, Terraform's: 0 clean, 1 error, 2 changes.
 */
import { Command, CommanderError, InvalidArgumentError, Option } from 'commander';
import { PACKAGE_VERSION } from '../../sdk/version';
import { DETAILED_EXITCODE_FLAG, usageExitCode } from '../commands/exit-codes';
import type { CliIo, CommandName } from '../commands/io';

export type { CliIo, CommandName, OutputStream } from '../commands/io';

function positiveInt(max: number) {
  return (value: string): number => {
    const number = Number(value);
    if (!/^\d+$/.test(value) || number < 1 || number > max) throw new InvalidArgumentError(`must be a whole number from 1 to ${max}.`);
    return number;
  };
}

function nonEmptyValue(value: string): string {
  if (value.trim() === '') throw new InvalidArgumentError('must not be empty.');
  return value;
}

/** Output, exit-code and connection flags shared by the commands. */
function withReportOptions(command: Command): Command {
  return command
    .addOption(new Option('--output <format>', 'report format on stdout').choices(['text', 'json', 'markdown', 'sarif']).default('text'))
    .option('--json-file <path>', 'also write the JSON report to this file')
    .option('--markdown-file <path>', 'also write the markdown report (PR/MR comment) to this file')
    .option('--sarif-file <path>', 'also write the findings as SARIF 2.1.0 (GitHub code scanning) to this file')
    .option(DETAILED_EXITCODE_FLAG, "Terraform's exit codes: 0 clean, 1 error, 2 changes")
    .option('--color', 'force colour in text output')
    .option('--no-color', 'no colour in text output (default: colour on a TTY unless NO_COLOR is set)')
    .option('--no-annotations', 'no GitHub Actions annotations (default: on when GITHUB_ACTIONS=true)')
    .option('--no-step-summary', 'do not append the markdown report to $GITHUB_STEP_SUMMARY');
}

function collect(value: string, previous: string[] | undefined): string[] {
  return [...(previous ?? []), nonEmptyValue(value)];
}

/** The policy gates: the same checks in validate, plan, apply and sync. */
function withRulesOption(command: Command): Command {
  return command.option(
    '--rules <spec>',
    "policy rules to enforce: 'builtin' (the built-in pack), a rule file (e.g. .shoreguard-rules.yaml) or a directory of rule files; repeatable",
    collect,
  );
}

function withServerOptions(command: Command): Command {
  return command
    .option('--url <url>', 'ShoreGuard base URL (default: $SHOREGUARD_URL, else http://localhost:8888)', nonEmptyValue)
    .option('--token-file <path>', 'read the API key from this file (default: $SHOREGUARD_TOKEN); the key is never printed')
    .addOption(new Option('--concurrency <n>', 'targets in flight at once').argParser(positiveInt(64)).default(8));
}

function withSelectionOptions(command: Command, what: string): Command {
  return command
    .argument('[files...]', `policy files to ${what} (with --dir: files inside the tree; default: the whole tree)`)
    .option('-f, --file <path>', "a policy file ('-' reads stdin)")
    .option('-g, --gateway <name>', 'gateway of the single file (default: from --dir layout or metadata.gateway)')
    .option('-s, --sandbox <name>', 'sandbox of the single file (default: from --dir layout or metadata.sandbox)')
    .option('--dir <dir>', 'policy tree: every <dir>/<gateway>/<sandbox>.yaml')
    .option('--layout <pattern>', 'file layout under --dir', '{gateway}/{sandbox}.yaml');
}

function withWriteOptions(command: Command): Command {
  return command
    .addOption(new Option('--mode <mode>', "replace the whole policy, merge network rules only, or auto (merge when only network_policies change)").choices(['replace', 'merge', 'auto']).default('replace'))
    .option('--force-unlocked', 'send a document without an optimistic lock (last writer wins)')
    .option('--no-close-proposals', 'after an apply, leave pending proposals the new policy covers pending (default: reject them as applied from Git)')
    .option('--receipt-dir <dir>', 'write an evidence receipt (in-toto statement) per target and run into this directory', nonEmptyValue)
    .option('--signing-key <key>', "sign the receipts (DSSE): an Ed25519/ECDSA PEM file, or 'env:NAME' to read it from a variable; never printed", nonEmptyValue);
}

export function buildProgram(run: (name: CommandName, options: Record<string, unknown>, files: string[]) => Promise<void>, io?: Pick<CliIo, 'stdout' | 'stderr'>): Command {
  const program = new Command('shoreguard-gitops')
    .description('Sandbox policies as YAML in Git, synced through ShoreGuard (export, validate, plan, apply, sync, proposals, pull)')
    .version(PACKAGE_VERSION, '-V, --version')
    .exitOverride()
    .showHelpAfterError('(add --help for usage)');
  // Before any .command(): subcommands copy these settings when they are created.
  if (io !== undefined) program.configureOutput({ writeOut: (text) => io.stdout.write(text), writeErr: (text) => io.stderr.write(text) });
  const action = (name: CommandName) => async (...args: unknown[]) => {
    const command = args[args.length - 1] as Command;
    const files = Array.isArray(args[0]) ? (args[0] as string[]) : [];
    await run(name, command.opts(), files);
  };

  withReportOptions(
    withServerOptions(
      program
        .command('export')
        .description('Write live policies as canonical documents (no exported_at: unchanged policies give identical bytes)')
        .option('-g, --gateway <name>', 'gateway (with --all: only this gateway)')
        .option('-s, --sandbox <name>', 'sandbox')
        .option('-o, --out <file>', "write the document to this file ('-' = stdout, the default)")
        .option('--dir <dir>', 'policy tree to write into (<dir>/<gateway>/<sandbox>.yaml)')
        .option('--all', 'every sandbox of every gateway (or of -g) into --dir; written only if every export succeeds')
        .option('--layout <pattern>', 'file layout under --dir', '{gateway}/{sandbox}.yaml'),
    ),
  ).action(action('export'));

  withReportOptions(
    withSelectionOptions(withRulesOption(program.command('validate').description('Check policy files offline: every problem with file, line and field')), 'check')
      .option('--base <revision>', 'also compare each file with its version at this git revision (flags changes ShoreGuard ignores)')
      .option('--fail-on-warn', 'warnings fail the run too')
      .option('--strict-target', 'metadata naming another gateway/sandbox than the file location is an error, not a warning')
      // validate warns (ShoreGuard silently drops such sections); plan/apply/sync refuse to send them.
      .addOption(new Option('--unknown-sections <severity>', 'unknown policy sections are').choices(['error', 'warning']).default('warning')),
  ).action(action('validate'));

  withReportOptions(
    withServerOptions(
      withSelectionOptions(withRulesOption(program.command('plan').description('Dry-run every target: drift per section, pin and approval state up front')), 'plan')
        .option('--expected-version <hash>', 'lock to check instead of metadata.policy_hash (one target only)', nonEmptyValue)
        .option('--rebase', 'on a version conflict, report in sync when the file already matches the live policy')
        .option('--details', 'read the live policy of changed network rules to show what changed inside them (+1 request each)')
        .option('--no-votes', 'do not read the approval tally of drifted targets (one request per target)')
        .option('--fail-on-warn', 'files with warnings are not sent'),
    ),
  ).action(action('plan'));

  withReportOptions(
    withServerOptions(
      withWriteOptions(
        withSelectionOptions(withRulesOption(program.command('apply').description('Apply with the optimistic lock; report applied, votes, pins and conflicts')), 'apply')
          .option('--expected-version <hash>', 'lock to send instead of metadata.policy_hash (one target only)', nonEmptyValue)
          .option('--rebase', 'on a version conflict, succeed when the file already matches the live policy')
          .option('--fail-on-warn', 'files with warnings are not sent'),
      ),
    ),
  ).action(action('apply'));

  withReportOptions(
    withServerOptions(
      withWriteOptions(
        withRulesOption(program.command('sync').description('Apply (or with --dry-run, plan) every target of a policy tree'))
          .argument('[files...]', 'only these files of the tree (e.g. those a pull request changed)')
          .requiredOption('--dir <dir>', 'policy tree: every <dir>/<gateway>/<sandbox>.yaml')
          .option('--layout <pattern>', 'file layout under --dir', '{gateway}/{sandbox}.yaml')
          .option('--dry-run', 'plan instead of apply')
          .option('--rebase', 'on a version conflict, succeed when the file already matches the live policy')
          .option('--details', 'with --dry-run: show what changed inside changed network rules (+1 request each)')
          .option('--no-votes', 'with --dry-run: do not read the approval tally of drifted targets (one request per target)')
          .option('--fail-on-warn', 'files with warnings are not sent'),
      ),
    ),
  ).action(action('sync'));

  withReportOptions(
    withServerOptions(
      withSelectionOptions(
        program.command('proposals').description("List pending proposals (agent-drafted rules, denial drafts) for review; --write turns them into the change to each file in Git"),
        'list proposals for',
      )
        .option('--write', "write each pending proposal into its target's file (canonical bytes, lock untouched); all files or none")
        .option('--chunk <id>', 'only this pending chunk (repeatable); an id that is not pending is an error', collect)
        .option('--no-votes', 'do not read the votes of each proposal (one request per proposal)'),
    ),
  ).action(action('proposals'));

  withReportOptions(
    withServerOptions(
      program
        .command('pull')
        .description("Re-export every target whose live policy moved away from its file's lock, with where each change came from")
        .argument('[files...]', 'only these files of the tree')
        .requiredOption('--dir <dir>', 'policy tree (a git work tree): every <dir>/<gateway>/<sandbox>.yaml')
        .option('--layout <pattern>', 'file layout under --dir', '{gateway}/{sandbox}.yaml'),
    ),
  ).action(action('pull'));

  withReportOptions(
    program
      .command('verify-receipt')
      .description('Check evidence receipts: the signature, the statement, and optionally the file at the recorded commit')
      .argument('<receipts...>', 'receipt files (as written by apply/sync --receipt-dir)')
      .option('--public-key <key>', "verify the DSSE signature with this public key (PEM file, or 'env:NAME'); unsigned receipts then fail")
      .option('--check-file', 'also check that the policy file at the recorded commit still has the recorded digest')
      .option('--repo <dir>', 'the git repository for --check-file (default: the current directory)'),
  ).action(action('verify-receipt'));

  return program;
}

/** Runs the CLI; resolves to the exit code (never calls process.exit). */
export async function main(argv: readonly string[], io: CliIo = processIo()): Promise<number> {
  let exitCode = 0;
  const program = buildProgram(async (name, options, files) => {
    // require, not import(): the package is CommonJS and this keeps the module load lazy.
    const { runCommand } = require('../commands/run-command') as typeof import('../commands/run-command');
    exitCode = await runCommand(name, options, files, io, argv);
  }, io);
  try {
    await program.parseAsync([...argv], { from: 'user' });
    return exitCode;
  } catch (error) {
    // --help and --version end here with exit code 0; usage errors were already printed.
    if (error instanceof CommanderError) return error.exitCode === 0 ? 0 : usageExitCode(argv);
    throw error;
  }
}

function processIo(): CliIo {
  return {
    stdout: process.stdout,
    stderr: process.stderr,
    env: process.env,
    readStdin: async () => {
      const chunks: Buffer[] = [];
      for await (const chunk of process.stdin) chunks.push(Buffer.from(chunk as Uint8Array));
      return Buffer.concat(chunks).toString('utf8');
    },
  };
}

if (require.main === module) {
  main(process.argv.slice(2)).then(
    (code) => {
      process.exitCode = code;
    },
    (error: unknown) => {
      process.stderr.write(`shoreguard-gitops: internal error: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
      process.exitCode = usageExitCode(process.argv);
    },
  );
}
