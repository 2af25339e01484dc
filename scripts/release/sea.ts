/**
 * Node single executable applications with a startup snapshot: the target platform's own Node
 * binary (an npm registry package, integrity-checked) builds the snapshot and the SEA blob
 * (`--experimental-sea-config` with `useSnapshot`), run under qemu-user when the target is another
 * architecture, and postject injects the blob into a copy of that binary. Node 24 has no built-in
 * injector (`--build-sea` arrived in Node 25.5), hence postject.
 */
import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { chmodSync, copyFileSync, existsSync, mkdirSync, readdirSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { arch } from 'node:os';
import { join } from 'node:path';
import { LEFT_OUT } from './bundle';
import { NODE_VERSION, type Platform, platformId } from './config';

/** The fuse Node's SEA support looks for (from Node's documentation of single executable applications). */
export const SEA_FUSE = 'NODE_SEA_FUSE_fce680ab2cc467b6e072b8b5df1996b2';

export class ReleaseError extends Error {
  override readonly name = 'ReleaseError';
}

function run(command: string, args: readonly string[], options: { cwd?: string; env?: NodeJS.ProcessEnv } = {}): { stdout: string; stderr: string } {
  const result = spawnSync(command, [...args], { cwd: options.cwd, env: options.env ?? process.env, encoding: 'utf8', maxBuffer: 64 * 1024 * 1024 });
  if (result.error) throw new ReleaseError(`${command} ${args.join(' ')}: ${result.error.message}`);
  if (result.status !== 0) throw new ReleaseError(`${command} ${args.join(' ')} exited ${result.status ?? result.signal}:\n${result.stdout}\n${result.stderr}`);
  return { stdout: result.stdout, stderr: result.stderr };
}

/** The platform's Node binary from the npm registry, cached under .cache/release/node and checked against the pinned integrity. */
export function nodeBinary(root: string, platform: Platform): string {
  const dir = join(root, '.cache', 'release', 'node', `${platform.node.pkg}-${NODE_VERSION}`);
  const binary = join(dir, 'package', 'bin', 'node');
  if (existsSync(binary)) return binary;
  mkdirSync(dir, { recursive: true });
  const spec = `${platform.node.pkg}@${NODE_VERSION}`;
  const packed = run('npm', ['pack', spec, '--pack-destination', dir, '--json', '--silent'], { cwd: dir });
  const info = JSON.parse(packed.stdout) as { filename: string; integrity: string }[];
  const file = info[0]?.filename;
  if (!file) throw new ReleaseError(`npm pack ${spec} reported no file`);
  const tarball = join(dir, file);
  const integrity = `sha512-${createHash('sha512').update(readFileSync(tarball)).digest('base64')}`;
  if (integrity !== platform.node.integrity) {
    rmSync(dir, { recursive: true, force: true });
    throw new ReleaseError(`${spec}: integrity ${integrity} is not the pinned ${platform.node.integrity} (scripts/release/config.ts)`);
  }
  run('tar', ['-xzf', tarball, '-C', dir]);
  rmSync(tarball);
  if (!existsSync(binary)) throw new ReleaseError(`${spec} holds no bin/node`);
  return binary;
}

const HOST_ARCH: Readonly<Record<string, Platform['arch']>> = { x64: 'amd64', arm64: 'arm64' };

/** How to run the target's Node here: directly, or through qemu-user for another architecture. */
export function nodeRunner(platform: Platform, binary: string): { command: string; prefix: string[] } {
  if (platform.os !== 'linux' || process.platform !== 'linux') {
    throw new ReleaseError(`${platformId(platform)}: the snapshot must be built by that platform's own Node, which cannot run on ${process.platform}`);
  }
  if (HOST_ARCH[arch()] === platform.arch) return { command: binary, prefix: [] };
  const qemu = platform.arch === 'arm64' ? 'qemu-aarch64-static' : 'qemu-x86_64-static';
  const sysroot = platform.arch === 'arm64' ? '/usr/aarch64-linux-gnu' : '/usr/x86_64-linux-gnu';
  const found = spawnSync('sh', ['-c', `command -v ${qemu}`], { encoding: 'utf8' }).stdout.trim();
  if (!found || !existsSync(join(sysroot, 'lib'))) {
    throw new ReleaseError(
      `${platformId(platform)}: needs ${qemu} and the target's C/C++ libraries in ${sysroot} ` +
        '(Debian: apt-get install qemu-user-static libc6-arm64-cross libstdc++6-arm64-cross libgcc-s1-arm64-cross)',
    );
  }
  return { command: found, prefix: ['-L', sysroot, binary] };
}

/**
 * Where the snapshot is built: a fixed path, because the snapshot keeps its script's file name
 * (a per-checkout path would make every checkout's binary differ). One build at a time: see
 * {@link lockStage}.
 */
export const STAGE = '/tmp/shoreguard-release-sea';

/**
 * V8 flags for the snapshot builder that make its heap the same on every run: fixed random and
 * hash seeds (Node reseeds Math.random and V8 rehashes after start-up), no concurrent
 * compilation or GC timing effects.
 */
export const DETERMINISTIC_FLAGS = ['--predictable', '--random-seed=1', '--hash-seed=1'];

let pidNamespace: readonly string[] | undefined;

/**
 * A command prefix that runs the snapshot builder as pid 1 of its own pid namespace: the builder's
 * pid ends up in the heap (and in Node's warning texts), so without it two builds differ in a few
 * bytes. Empty where no namespace can be made (then builds are not byte-identical).
 */
export function pidNamespacePrefix(): readonly string[] {
  if (pidNamespace === undefined) {
    const candidates = [['unshare', '--fork', '--pid'], ['unshare', '--user', '--map-root-user', '--fork', '--pid']];
    pidNamespace = candidates.find((prefix) => spawnSync(prefix[0] as string, [...prefix.slice(1), 'true'], { stdio: 'ignore' }).status === 0) ?? [];
  }
  return pidNamespace;
}

/** Takes the build stage for this process; fails if a live release build holds it. Returns the release function. */
export function lockStage(): () => void {
  const lock = `${STAGE}.lock`;
  for (let attempt = 0; attempt < 2; attempt++) {
    try {
      writeFileSync(lock, `${process.pid}\n`, { flag: 'wx' });
      return () => rmSync(lock, { force: true });
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
      const holder = Number(readFileSync(lock, 'utf8').trim());
      let alive = false;
      try {
        process.kill(holder, 0);
        alive = Number.isInteger(holder) && holder > 0;
      } catch {
        alive = false;
      }
      if (alive) throw new ReleaseError(`another release build (pid ${holder}) is using ${STAGE}; wait for it to end`);
      rmSync(lock, { force: true });
    }
  }
  throw new ReleaseError(`cannot take ${lock}`);
}

export interface SeaBuild {
  readonly file: string;
  readonly bytes: number;
  /** Built-ins in the snapshot that Node calls "not yet fully verified" there. */
  readonly unverifiedBuiltins: readonly string[];
  /** Modules that could not load while the snapshot was built (they load at start-up), with why. */
  readonly leftOut: readonly string[];
  /** Built as pid 1 of a pid namespace, so byte-identical across builds. */
  readonly pidIsolated: boolean;
}

/**
 * Builds one executable: the bundle → snapshot + SEA blob (by the target's Node, in {@link STAGE}
 * under `stageName`) → injected into a copy of that Node. The caller holds {@link lockStage}.
 */
export function buildSea(options: { root: string; platform: Platform; bundle: string; stageName: string; output: string }): SeaBuild {
  const { root, platform, output } = options;
  const work = join(STAGE, options.stageName);
  rmSync(work, { recursive: true, force: true });
  const binary = nodeBinary(root, platform);
  const runner = nodeRunner(platform, binary);
  const version = run(runner.command, [...runner.prefix, '--version']).stdout.trim();
  if (version !== `v${NODE_VERSION}`) throw new ReleaseError(`${binary} is ${version}, not v${NODE_VERSION}`);
  mkdirSync(work, { recursive: true });
  copyFileSync(options.bundle, join(work, 'bundle.js'));
  const blob = join(work, 'sea-prep.blob');
  writeFileSync(join(work, 'sea-config.json'), `${JSON.stringify({ main: 'bundle.js', output: 'sea-prep.blob', disableExperimentalSEAWarning: true, useSnapshot: true, useCodeCache: false }, null, 2)}\n`);
  // A clean environment: module top levels run while the snapshot is built, and must not capture this machine's settings.
  const env = { PATH: process.env['PATH'] ?? '/usr/bin:/bin', HOME: work, LANG: 'C', TZ: 'UTC' };
  const isolate = pidNamespacePrefix();
  const [command, ...args] = [...isolate, runner.command, ...runner.prefix, ...DETERMINISTIC_FLAGS, '--experimental-sea-config', 'sea-config.json'];
  const built = run(command as string, args, { cwd: work, env });
  const warnings = `${built.stdout}\n${built.stderr}`
    .split('\n')
    .filter((line) => /Warning|warning/.test(line));
  const unverified = warnings.flatMap((line) => /built-in module "([^"]+)" works in user snapshot/.exec(line)?.[1] ?? []);
  const partial = `${output}.partial`;
  mkdirSync(join(output, '..'), { recursive: true });
  copyFileSync(binary, partial);
  chmodSync(partial, 0o755);
  const postject = join(root, 'node_modules', 'postject', 'dist', 'cli.js');
  run(process.execPath, [postject, partial, 'NODE_SEA_BLOB', blob, '--sentinel-fuse', SEA_FUSE]);
  renameSync(partial, output);
  rmSync(work, { recursive: true, force: true });
  const leftOut = `${built.stdout}\n${built.stderr}`.split('\n').flatMap((line) => (line.startsWith(LEFT_OUT) ? [line.slice(LEFT_OUT.length).trim()] : []));
  return { file: output, bytes: readFileSync(output).length, unverifiedBuiltins: [...new Set(unverified)].sort(), leftOut, pidIsolated: isolate.length > 0 };
}

/** Removes scratch files a build left (the `.partial` of an interrupted injection). */
export function cleanPartials(dir: string): void {
  if (!existsSync(dir)) return;
  for (const entry of readdirSync(dir)) if (entry.endsWith('.partial')) rmSync(join(dir, entry), { force: true });
}
