/**
 * examples/pulumi as a Pulumi stack driven through the Automation API (a *local* program: the real
 * CLI runs the example's own index.ts through the nodejs language host, as `pulumi up` in that
 * directory would). The example is copied into a consumer project under .cache/ so its stack
 * config never lands in examples/, and `shoreguard-iac/pulumi` resolves to this checkout's dist/.
 */
import { copyFileSync, readFileSync, readdirSync, rmSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { LocalWorkspace, PulumiCommand, type Stack } from '@pulumi/pulumi/automation';
import { ensurePulumiCli, pulumiEnv } from '../pulumi/cli';
import { consumerProject, REPO_ROOT } from '../pulumi/consumer';

export const EXAMPLE_DIR = join(REPO_ROOT, 'examples', 'pulumi');
/** What the example consists of (package.json is the consumer project's, node_modules its link). */
const EXAMPLE_FILES = ['Pulumi.yaml', 'index.ts', 'tsconfig.json'] as const;

export interface ExampleStackOptions {
  /** Consumer project (and stack) name; one per test file. */
  readonly name: string;
  readonly url: string;
  /** Stored as a secret in the stack config. */
  readonly apiKey: string;
  /** `example:*` settings (e.g. freezeUntil, productionEndpoint). */
  readonly exampleConfig: Readonly<Record<string, string>>;
}

export interface ExampleStack {
  readonly stack: Stack;
  /** Where the file backend keeps the checkpoint (to search it for secrets). */
  readonly stateDir: string;
  /** Every file under the state dir, concatenated. */
  stateText(): string;
  remove(): Promise<void>;
}

function filesUnder(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    return statSync(path).isDirectory() ? filesUnder(path) : [path];
  });
}

/** Builds (or reuses) the Pulumi CLI, copies the example and selects a fresh stack with its config. */
export async function openExampleStack(options: ExampleStackOptions): Promise<ExampleStack> {
  const cliRoot = await ensurePulumiCli();
  const workDir = consumerProject(options.name);
  for (const file of EXAMPLE_FILES) copyFileSync(join(EXAMPLE_DIR, file), join(workDir, file));
  const runDir = join(workDir, 'run');
  rmSync(runDir, { recursive: true, force: true });
  rmSync(join(workDir, `Pulumi.${options.name}.yaml`), { force: true });
  const env = pulumiEnv(cliRoot, runDir);
  const stateDir = join(runDir, 'state');
  const stack = await LocalWorkspace.createOrSelectStack(
    { stackName: options.name, workDir },
    { pulumiCommand: await PulumiCommand.get({ root: cliRoot }), envVars: env, secretsProvider: 'passphrase' },
  );
  await stack.setConfig('shoreguard:url', { value: options.url });
  await stack.setConfig('shoreguard:apiKey', { value: options.apiKey, secret: true });
  for (const [key, value] of Object.entries(options.exampleConfig)) await stack.setConfig(`example:${key}`, { value });
  return {
    stack,
    stateDir,
    stateText: () => filesUnder(stateDir).map((file) => readFileSync(file, 'utf8')).join('\n'),
    remove: async () => {
      await stack.workspace.removeStack(options.name, { force: true }).catch(() => undefined);
      rmSync(join(workDir, `Pulumi.${options.name}.yaml`), { force: true });
    },
  };
}
