/**
 * `shoreguard-iac terraform install`: lays out terraform-provider-shoreguard as a filesystem
 * mirror (default) or a dev_overrides directory and prints the CLI configuration, so that
 * `terraform init` / `tofu init` find the provider without a registry.
 */
import { InstallError, type InstallMode, installProvider, type InstallResult } from '../provider/terraform/install';

export interface TerraformInstallOptions {
  /** Target directory. @default ~/.terraform.d/plugins (mirror) or ~/.terraform.d/shoreguard-dev (dev_overrides) */
  readonly dir?: string;
  /** Lay out for dev_overrides instead of a filesystem mirror. @default false */
  readonly devOverrides?: boolean;
  /** Also write the CLI configuration to this file. @default only printed */
  readonly configFile?: string;
  /** Node binary the provider runs with (Node >= 22). @default the current Node */
  readonly node?: string;
  /** Provider version to lay out. @default the package version */
  readonly version?: string;
  /** The compiled plugin entry point. @default dist/provider/terraform/main.js of this package */
  readonly entry?: string;
  /** Lay out this single executable (`npm run release`) instead of the Node wrapper. @default the wrapper */
  readonly binary?: string;
  /** Where the report goes. @default process.stdout */
  readonly out?: { write(text: string): unknown };
  /** Where errors go. @default process.stderr */
  readonly err?: { write(text: string): unknown };
}

/** What the command printed and did; `exitCode` is 0 on success, 2 for bad input. */
export interface TerraformInstallOutcome {
  readonly exitCode: number;
  readonly result?: InstallResult;
}

function report(result: InstallResult): string {
  const lines = [
    `terraform-provider-shoreguard v${result.version} (${result.kind === 'binary' ? 'single executable' : 'Node wrapper'}) laid out in ${result.dir} (${result.mode === 'mirror' ? 'filesystem mirror' : 'dev_overrides'}):`,
    ...result.executables.map((file) => `  ${file}`),
    '',
  ];
  lines.push(
    result.cliConfigFile
      ? `CLI configuration written to ${result.cliConfigFile}; use it with:\n  export TF_CLI_CONFIG_FILE=${result.cliConfigFile}\n`
      : 'Add this to ~/.terraformrc (Terraform) or ~/.tofurc (OpenTofu), or save it and point TF_CLI_CONFIG_FILE at it:\n',
  );
  lines.push(result.cliConfig);
  lines.push(
    'In your configuration:',
    '  terraform {',
    '    required_providers {',
    `      shoreguard = { source = "registry.terraform.io/shoreguard/shoreguard", version = "${result.version}" }`,
    '    }',
    '  }',
    '',
  );
  return lines.join('\n');
}

export async function runTerraformInstall(options: TerraformInstallOptions = {}): Promise<TerraformInstallOutcome> {
  const out = options.out ?? process.stdout;
  const err = options.err ?? process.stderr;
  const mode: InstallMode = options.devOverrides ? 'dev_overrides' : 'mirror';
  try {
    const result = await installProvider({
      mode,
      ...(options.dir === undefined ? {} : { dir: options.dir }),
      ...(options.configFile === undefined ? {} : { cliConfigFile: options.configFile }),
      ...(options.node === undefined ? {} : { nodePath: options.node }),
      ...(options.version === undefined ? {} : { version: options.version }),
      ...(options.entry === undefined ? {} : { entry: options.entry }),
      ...(options.binary === undefined ? {} : { binary: options.binary }),
    });
    out.write(report(result));
    return { exitCode: 0, result };
  } catch (error) {
    if (error instanceof InstallError) {
      err.write(`error: ${error.message}\n`);
      return { exitCode: 2 };
    }
    throw error;
  }
}
