#!/usr/bin/env node
/**
 * `shoreguard-iac`: the package's utility command — the ShoreGuard emulator, the demo, and the
 * Terraform provider installer. Policy GitOps lives in the separate `shoreguard-gitops` command.
 * Each subcommand requires its module lazily so `--version` and `--help` stay fast.
 */
import { accessSync, constants, statSync } from 'node:fs';
import { Command, CommanderError, InvalidArgumentError, Option } from 'commander';
import { PACKAGE_VERSION } from '../sdk/version';

/** Exit code for bad input (flags, files), matching `shoreguard-gitops`. */
const EXIT_USAGE = 2;

function parsePort(value: string): number {
  const port = Number(value);
  if (!/^\d+$/.test(value) || port > 65535) {
    throw new InvalidArgumentError('must be a TCP port number from 0 to 65535 (0 picks a free port).');
  }
  return port;
}

export function buildProgram(): Command {
  const program = new Command('shoreguard-iac')
    .description('ShoreGuard infrastructure as code: emulator, demo and Terraform provider installer')
    .version(PACKAGE_VERSION, '-V, --version')
    .exitOverride()
    .showHelpAfterError();

  program
    .command('emulator')
    .description('Serve the ShoreGuard 0.40.0 emulator until stopped (prints its URL and API keys)')
    .addOption(new Option('-p, --port <port>', 'TCP port to listen on').argParser(parsePort).default(8888))
    .addOption(new Option('--host <host>', 'address to bind').default('127.0.0.1'))
    .option('--no-local-mode', 'reject private and loopback gateway endpoints, like ShoreGuard without --local')
    .action(async (opts: { port: number; host: string; localMode: boolean }) => {
      const { runEmulatorCommand } = require('../emulator/cli') as typeof import('../emulator/cli');
      await runEmulatorCommand({ port: opts.port, host: opts.host, localMode: opts.localMode });
    });

  program
    .command('demo')
    .description('Walk through gateways, RBAC, a quorum workflow, a pin and a policy apply against the bundled emulator')
    .action(async () => {
      const { runDemo } = require('./demo') as typeof import('./demo');
      await runDemo({ out: process.stdout });
    });

  const terraform = program.command('terraform').description('Terraform/OpenTofu provider (terraform-provider-shoreguard)');
  terraform
    .command('install')
    .description('Lay out the provider as a filesystem mirror (or dev_overrides) and print the CLI configuration for offline init')
    .option('--dir <dir>', 'target directory (default ~/.terraform.d/plugins, or ~/.terraform.d/shoreguard-dev with --dev-overrides)')
    .option('--dev-overrides', 'lay out for dev_overrides instead of a filesystem mirror')
    .option('--config-file <file>', 'also write the CLI configuration to this file (point TF_CLI_CONFIG_FILE at it)')
    .option('--node <path>', 'Node >= 22 binary the provider runs with (default: the current one)')
    .option('--binary <path>', 'lay out this single executable (from `npm run release`) instead of the Node wrapper')
    .action(async (opts: { dir?: string; devOverrides?: boolean; configFile?: string; node?: string; binary?: string }) => {
      for (const [flag, path] of [['--node <path>', opts.node], ['--binary <path>', opts.binary]] as const) {
        if (path !== undefined && !isExecutableFile(path)) {
          process.stderr.write(`error: option '${flag}': ${path} is not an executable file.\n`);
          throw new UsageError();
        }
      }
      if (opts.node !== undefined && opts.binary !== undefined) {
        process.stderr.write("error: options '--node' and '--binary' exclude each other (the single executable needs no Node).\n");
        throw new UsageError();
      }
      const { runTerraformInstall } = require('./terraform') as typeof import('./terraform');
      const outcome = await runTerraformInstall({
        ...(opts.dir === undefined ? {} : { dir: opts.dir }),
        ...(opts.configFile === undefined ? {} : { configFile: opts.configFile }),
        ...(opts.node === undefined ? {} : { node: opts.node }),
        ...(opts.binary === undefined ? {} : { binary: opts.binary }),
        devOverrides: opts.devOverrides === true,
      });
      if (outcome.exitCode !== 0) throw new UsageError();
    });

  return program;
}

function isExecutableFile(path: string): boolean {
  try {
    accessSync(path, constants.X_OK);
    return statSync(path).isFile();
  } catch {
    return false;
  }
}

/** Bad input already reported on stderr by the subcommand: exit 2 without another message. */
class UsageError extends Error {}

export async function main(argv: readonly string[]): Promise<number> {
  const program = buildProgram();
  try {
    await program.parseAsync([...argv], { from: 'user' });
    return 0;
  } catch (error) {
    if (error instanceof UsageError) return EXIT_USAGE;
    if (error instanceof CommanderError) {
      // --help and --version end here too, with exit code 0.
      return error.exitCode === 0 ? 0 : EXIT_USAGE;
    }
    process.stderr.write(`error: ${error instanceof Error ? error.message : String(error)}\n`);
    return 1;
  }
}

if (require.main === module) {
  main(process.argv.slice(2)).then((code) => {
    process.exitCode = code;
  });
}
