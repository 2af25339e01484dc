/**
 * Smoke test of the real IaC engines built by scripts/engines/ (Pulumi CLI + Node.js language host,
 * OpenTofu). It builds them when they are missing (the first run takes minutes; later runs reuse
 * .cache/engines), then drives them for real: a TypeScript Pulumi project with one dynamic resource
 * goes through `pulumi up --yes` and `pulumi destroy --yes` against a local file backend.
 * Every engine command runs through `source scripts/engines/env.sh`, so the env file is tested too.
 */
import { spawn } from 'node:child_process';
import * as fs from 'node:fs/promises';
import * as os from 'node:os';
import * as path from 'node:path';

const REPO_ROOT = path.resolve(__dirname, '../../..');
const ENGINES_SCRIPTS = path.join(REPO_ROOT, 'scripts/engines');
const ENGINES_CACHE = path.join(REPO_ROOT, '.cache/engines');
// A first build downloads hundreds of Go modules and compiles two large binaries on 2 shared cores.
const BUILD_TIMEOUT_MS = 60 * 60 * 1000;
const ENGINE_TIMEOUT_MS = 5 * 60 * 1000;
const OUTPUT_TAIL_CHARS = 4000;

class CommandFailedError extends Error {
  constructor(
    readonly command: string,
    readonly exitCode: number | null,
    readonly outputTail: string,
  ) {
    super(`\`${command}\` exited with ${exitCode ?? 'a signal'}; last output:\n${outputTail}`);
    this.name = 'CommandFailedError';
  }
}

interface CommandResult {
  stdout: string;
  stderr: string;
}

interface RunOptions {
  cwd?: string;
  env?: NodeJS.ProcessEnv;
  /** Stream the child's stderr to ours (build progress); still captured. */
  echoStderr?: boolean;
}

function run(command: string, args: readonly string[], options: RunOptions = {}): Promise<CommandResult> {
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, {
      cwd: options.cwd ?? REPO_ROOT,
      env: options.env ?? process.env,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => {
      stderr += chunk.toString();
      if (options.echoStderr) process.stderr.write(chunk);
    });
    child.on('error', reject);
    child.on('close', (exitCode) => {
      if (exitCode === 0) return resolve({ stdout, stderr });
      const shown = [command, ...args].join(' ');
      reject(new CommandFailedError(shown, exitCode, `${stdout}\n${stderr}`.slice(-OUTPUT_TAIL_CHARS)));
    });
  });
}

/** Runs an engine command with scripts/engines/env.sh sourced; `env` wins over env.sh's defaults. */
function runEngine(args: readonly string[], options: RunOptions = {}): Promise<CommandResult> {
  const script = `source "${ENGINES_SCRIPTS}/env.sh" && exec "$@"`;
  return run('bash', ['-c', script, 'engine', ...args], {
    ...options,
    env: { ...process.env, ...options.env },
  });
}

async function readJson(file: string): Promise<unknown> {
  return JSON.parse(await fs.readFile(file, 'utf8')) as unknown;
}

/** The exact version the repository installs (an optional peer dependency is pinned as a dev dependency). */
function dependencyVersion(manifest: unknown, name: string): string {
  const { dependencies = {}, devDependencies = {} } = manifest as { dependencies?: Record<string, string>; devDependencies?: Record<string, string> };
  const version = dependencies[name] ?? devDependencies[name];
  if (version === undefined) throw new Error(`package.json installs no ${name}`);
  return version;
}

// The program under test. The provider is an in-file object, serialized by the SDK into the
// resource's state and run by the engine in the pulumi-resource-pulumi-nodejs plugin process; the
// marker files prove that its create and delete really ran there.
const PROGRAM_TS = `
import * as pulumi from '@pulumi/pulumi';
import * as fs from 'fs';
import * as path from 'path';

interface GreetingInputs { name: string; text: string; markerDir: string }

const greetingProvider: pulumi.dynamic.ResourceProvider = {
  async create(inputs: GreetingInputs) {
    const id = 'greeting-' + inputs.name;
    fs.writeFileSync(path.join(inputs.markerDir, 'created-' + id), inputs.text);
    return { id, outs: { ...inputs, length: inputs.text.length } };
  },
  async delete(id: string, props: GreetingInputs) {
    fs.writeFileSync(path.join(props.markerDir, 'deleted-' + id), props.text);
  },
};

class Greeting extends pulumi.dynamic.Resource {
  declare readonly length: pulumi.Output<number>;
  constructor(name: string, args: GreetingInputs) {
    super(greetingProvider, name, { ...args, length: undefined }, {}, 'smoke', 'Greeting');
  }
}

const config = new pulumi.Config();
const greeting = new Greeting('greeting', {
  name: 'smoke',
  text: config.require('text'),
  markerDir: config.require('markerDir'),
});
export const greetingId = greeting.id;
export const length = greeting.length;
`;

/** A Pulumi project in a temp dir whose node_modules is the repo's (the SDK under test). */
async function createProject(root: string): Promise<string> {
  const projectDir = path.join(root, 'project');
  await fs.mkdir(projectDir);
  await fs.symlink(path.join(REPO_ROOT, 'node_modules'), path.join(projectDir, 'node_modules'), 'dir');
  await fs.writeFile(path.join(projectDir, 'Pulumi.yaml'), 'name: engines-smoke\nruntime: nodejs\n');
  await fs.writeFile(
    path.join(projectDir, 'package.json'),
    JSON.stringify({ name: 'engines-smoke', private: true, main: 'index.ts' }, null, 2),
  );
  await fs.writeFile(path.join(projectDir, 'index.ts'), PROGRAM_TS);
  return projectDir;
}

describe('real IaC engines built from the Go module proxy', () => {
  let workRoot: string;

  beforeAll(async () => {
    workRoot = await fs.mkdtemp(path.join(os.tmpdir(), 'shoreguard-engines-'));
    await run('bash', [path.join(ENGINES_SCRIPTS, 'build-all.sh')], { echoStderr: true });
  }, BUILD_TIMEOUT_MS);

  afterAll(async () => {
    if (workRoot) await fs.rm(workRoot, { recursive: true, force: true });
  });

  it('GIVEN the engine build WHEN tofu version THEN the OpenTofu v1.6.3 from .cache/engines answers', async () => {
    const { stdout: tofuPath } = await runEngine(['sh', '-c', 'command -v tofu']);
    expect(tofuPath.trim()).toBe(path.join(ENGINES_CACHE, 'tofu/bin/tofu'));

    const { stdout } = await runEngine(['tofu', 'version']);
    expect(stdout.split('\n')[0]).toBe('OpenTofu v1.6.3');
  }, ENGINE_TIMEOUT_MS);

  it('GIVEN the engine build WHEN pulumi version THEN it matches the @pulumi/pulumi SDK and its plugins are on PATH', async () => {
    const declared = dependencyVersion(await readJson(path.join(REPO_ROOT, 'package.json')), '@pulumi/pulumi');
    const installed = await readJson(path.join(REPO_ROOT, 'node_modules/@pulumi/pulumi/package.json'));
    expect((installed as { version: string }).version).toBe(declared);

    const { stdout } = await runEngine(['pulumi', 'version']);
    expect(stdout.trim()).toBe(`v${declared}`);

    const pulumiBin = path.join(ENGINES_CACHE, 'pulumi/bin');
    for (const tool of ['pulumi', 'pulumi-language-nodejs', 'pulumi-resource-pulumi-nodejs']) {
      const { stdout: found } = await runEngine(['sh', '-c', `command -v ${tool}`]);
      expect(found.trim()).toBe(path.join(pulumiBin, tool));
    }
    // The language host and the dynamic-provider plugin run the `node` on PATH: it must be >= 22.
    const { stdout: nodeVersion } = await runEngine(['node', '-p', 'process.versions.node']);
    expect(Number(nodeVersion.split('.')[0])).toBeGreaterThanOrEqual(22);
  }, ENGINE_TIMEOUT_MS);

  it(
    'GIVEN a TypeScript project with one dynamic resource and a file backend WHEN pulumi up --yes then destroy --yes ' +
      "THEN the provider's create and delete run and the stack ends empty, with no plugin downloaded",
    async () => {
      const projectDir = await createProject(workRoot);
      const markerDir = path.join(workRoot, 'markers');
      const pulumiHome = path.join(workRoot, 'pulumi-home');
      await fs.mkdir(markerDir);
      const text = 'hello from shoreguard-iac';
      const options: RunOptions = {
        cwd: projectDir,
        env: {
          PULUMI_HOME: pulumiHome,
          PULUMI_BACKEND_URL: `file://${path.join(workRoot, 'state')}`,
          PULUMI_CONFIG_PASSPHRASE: 'engines-smoke-test',
        },
      };
      const pulumi = (...args: string[]) => runEngine(['pulumi', ...args, '--non-interactive'], options);

      await pulumi('stack', 'init', 'dev');
      await pulumi('config', 'set', 'text', text);
      await pulumi('config', 'set', 'markerDir', markerDir);

      const up = await pulumi('up', '--yes');
      expect(up.stdout).toContain('+ 2 created');
      const outputs = JSON.parse((await pulumi('stack', 'output', '--json')).stdout) as Record<string, unknown>;
      expect(outputs).toEqual({ greetingId: 'greeting-smoke', length: text.length });
      expect(await fs.readFile(path.join(markerDir, 'created-greeting-smoke'), 'utf8')).toBe(text);

      const destroy = await pulumi('destroy', '--yes');
      expect(destroy.stdout).toContain('- 2 deleted');
      expect(await fs.readFile(path.join(markerDir, 'deleted-greeting-smoke'), 'utf8')).toBe(text);
      const exported = JSON.parse((await pulumi('stack', 'export')).stdout) as {
        deployment: { resources?: unknown[] };
      };
      expect(exported.deployment.resources ?? []).toEqual([]);

      // Offline by construction: the engine found every plugin on PATH and downloaded none.
      const plugins = await fs.readdir(path.join(pulumiHome, 'plugins')).catch(() => []);
      expect(plugins).toEqual([]);
    },
    ENGINE_TIMEOUT_MS,
  );

  it(
    'GIVEN an inline Automation API program WHEN stack.up then stack.destroy through PulumiCommand.get({root}) ' +
      'THEN both succeed and the dynamic resource output comes back',
    async () => {
      // Run in a plain Node child, as a user's program would: the SDK serializes the provider
      // closure, which is not what jest's module sandbox is for.
      const inlineDir = path.join(workRoot, 'inline');
      await fs.mkdir(inlineDir);
      await fs.symlink(path.join(REPO_ROOT, 'node_modules'), path.join(inlineDir, 'node_modules'), 'dir');
      await fs.writeFile(path.join(inlineDir, 'run.js'), INLINE_PROGRAM_JS);
      const { stdout } = await runEngine(['node', 'run.js', path.join(ENGINES_CACHE, 'pulumi')], {
        cwd: inlineDir,
        env: {
          PULUMI_HOME: path.join(workRoot, 'inline-home'),
          PULUMI_BACKEND_URL: `file://${path.join(inlineDir, 'state')}`,
          PULUMI_CONFIG_PASSPHRASE: 'engines-smoke-test',
        },
      });
      const lastLine = stdout.trim().split('\n').pop() ?? '';
      expect(JSON.parse(lastLine)).toEqual({ up: 'succeeded', length: 'inline'.length, destroy: 'succeeded' });
    },
    ENGINE_TIMEOUT_MS,
  );
});

// Inline programs need no language host binary: the SDK serves the language runtime in-process
// and the Automation API passes its address to the CLI. This is the route the Pulumi front-end's
// end-to-end tests will take.
const INLINE_PROGRAM_JS = `
const pulumi = require('@pulumi/pulumi');
const { LocalWorkspace, PulumiCommand } = require('@pulumi/pulumi/automation');

const provider = {
  async create(inputs) { return { id: 'inline-' + inputs.text, outs: { ...inputs, length: inputs.text.length } }; },
  async delete() {},
};

async function main(pulumiRoot) {
  const pulumiCommand = await PulumiCommand.get({ root: pulumiRoot });
  const program = async () => {
    const resource = new pulumi.dynamic.Resource(provider, 'r', { text: 'inline', length: undefined }, {}, 'smoke', 'Inline');
    return { length: resource.length };
  };
  const stack = await LocalWorkspace.createOrSelectStack(
    { stackName: 'dev', projectName: 'engines-inline', program },
    {
      workDir: __dirname,
      pulumiCommand,
      projectSettings: { name: 'engines-inline', runtime: 'nodejs' },
    },
  );
  const up = await stack.up();
  const destroy = await stack.destroy();
  console.log(JSON.stringify({ up: up.summary.result, length: up.outputs.length.value, destroy: destroy.summary.result }));
}

main(process.argv[2]).catch((error) => { console.error(error); process.exit(1); });
`;
