/**
 * The release build's artifacts for the end-to-end suites. With SHOREGUARD_E2E_ARTIFACTS=release
 * (the jest project `e2e-release` sets it) the suites run the single executables instead of
 * `node dist/...`: tofu installs the provider from the network mirror served over loopback HTTPS
 * (a throw-away certificate that tofu trusts through SSL_CERT_FILE, every other route dead), and
 * `shoreguard-gitops` is the binary.
 *
 * The release is built on first use when missing or older than dist/ (under a lock: jest runs
 * test files in parallel); scripts/test.sh builds it before jest.
 */
import { type ChildProcess, execFile, spawn } from 'node:child_process';
import { closeSync, existsSync, openSync, readdirSync, readFileSync, readSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { createServerCertificate } from '../../../provider/terraform/certs';
import { currentPlatform, findPackageRoot } from '../../../provider/terraform/install';

export const ARTIFACTS_ENV = 'SHOREGUARD_E2E_ARTIFACTS';
/** The release build takes ~40 s per platform on 2 cores. */
export const RELEASE_BUILD_TIMEOUT_MS = 10 * 60_000;

export function useReleaseArtifacts(env: Readonly<Record<string, string | undefined>> = process.env): boolean {
  return env[ARTIFACTS_ENV] === 'release';
}

const ROOT = findPackageRoot(__dirname) ?? '';

export interface ReleaseLayout {
  readonly version: string;
  readonly dir: string;
  /** The network mirror tree (mirror/<host>/shoreguard/shoreguard/...). */
  readonly mirror: string;
  readonly gitopsBinary: string;
  readonly providerBinary: string;
}

function layout(version: string): ReleaseLayout {
  const dir = join(ROOT, 'dist', 'release', version);
  const bin = join(dir, 'bin', currentPlatform());
  return { version, dir, mirror: join(dir, 'mirror'), gitopsBinary: join(bin, 'shoreguard-gitops'), providerBinary: join(bin, 'terraform-provider-shoreguard') };
}

/** What the binaries are bundled from: the release is stale when any compiled file there is newer than its report. */
const BUILT_DIRS = ['dist/bridge', 'dist/sdk', 'dist/provider'];

function newestJs(dir: string): number {
  if (!existsSync(dir)) return 0;
  return readdirSync(dir, { withFileTypes: true }).reduce((newest, entry) => {
    const path = join(dir, entry.name);
    return Math.max(newest, entry.isDirectory() ? newestJs(path) : entry.name.endsWith('.js') ? statSync(path).mtimeMs : 0);
  }, 0);
}

function fresh(at: ReleaseLayout): boolean {
  const report = join(at.dir, 'release.json');
  if (!existsSync(report) || !existsSync(at.gitopsBinary) || !existsSync(at.providerBinary)) return false;
  const builtAt = statSync(report).mtimeMs;
  return BUILT_DIRS.every((dir) => newestJs(join(ROOT, dir)) <= builtAt);
}

let building: Promise<ReleaseLayout> | undefined;

/** The release for this machine's platform, built (host platform only) when missing or stale. */
export function ensureRelease(): Promise<ReleaseLayout> {
  building ??= (async () => {
    const version = (JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as { version: string }).version;
    const at = layout(version);
    if (fresh(at)) return at;
    const builder = join(ROOT, 'dist', 'scripts', 'release', 'build.js');
    if (!existsSync(builder)) throw new Error(`${builder} is missing: run \`npm run build\` first (scripts/test.sh does)`);
    const lock = join(tmpdir(), 'shoreguard-iac-release-build.lock');
    // Re-checked under the lock: another test file may have built it meanwhile.
    const script = `test -f ${JSON.stringify(join(at.dir, 'release.json'))} && [ -z "$(find ${BUILT_DIRS.map((d) => JSON.stringify(join(ROOT, d))).join(' ')} -name '*.js' -newer ${JSON.stringify(join(at.dir, 'release.json'))} 2>/dev/null)" ] || exec bash ${JSON.stringify(join(ROOT, 'scripts', 'with-node.sh'))} node ${JSON.stringify(builder)} --platforms host`;
    await new Promise<void>((done, fail) => {
      execFile('flock', [lock, 'sh', '-c', script], { cwd: ROOT, timeout: RELEASE_BUILD_TIMEOUT_MS, maxBuffer: 16 * 1024 * 1024 }, (error, _stdout, stderr) => {
        if (error) fail(new Error(`the release build failed (npm run release): ${error.message}\n${stderr}`));
        else done();
      });
    });
    if (!fresh(at)) throw new Error(`the release build did not produce ${at.gitopsBinary} and ${at.providerBinary}`);
    return at;
  })();
  return building;
}

export interface MirrorServer {
  /** https://127.0.0.1:<port>/ */
  readonly url: string;
  /** The server's certificate, for SSL_CERT_FILE. */
  readonly caFile: string;
  /** Paths requested so far, in order. */
  readonly requests: string[];
  close(): Promise<void>;
}

/**
 * The file server, run as its own Node process: some callers (cdktf's Testing matchers) run tofu
 * with execSync, which blocks this process's event loop, so a server in it could not answer.
 * It prints "listening <port>" once, then one "GET <path>" line per request.
 */
const SERVER_SCRIPT = `
const { createServer } = require('node:https');
const { readFile } = require('node:fs/promises');
const { join, normalize, sep } = require('node:path');
const [root, certFile, keyFile] = process.argv.slice(1).map((p) => normalize(p));
const types = { '.json': 'application/json', '.zip': 'application/zip' };
Promise.all([readFile(certFile), readFile(keyFile)]).then(([cert, key]) => {
  const server = createServer({ cert, key }, (request, response) => {
    const path = decodeURIComponent(new URL(request.url || '/', 'https://mirror').pathname);
    process.stdout.write('GET ' + path + '\\n');
    const file = normalize(join(root, path));
    if (!file.startsWith(root + sep) || request.method !== 'GET') return void response.writeHead(404).end();
    readFile(file).then(
      (body) => response.writeHead(200, { 'content-type': types[(/\\.[a-z]+$/.exec(file) || [''])[0]] || 'application/octet-stream', 'content-length': body.length }).end(body),
      () => response.writeHead(404).end(),
    );
  });
  server.listen(0, '127.0.0.1', () => process.stdout.write('listening ' + server.address().port + '\\n'));
  process.on('SIGTERM', () => { server.closeAllConnections(); server.close(() => process.exit(0)); });
});
`;

/** A plain static HTTPS file server for `dir` on loopback, as a user's mirror host would be. */
export async function startMirrorServer(dir: string, scratch: string): Promise<MirrorServer> {
  const cert = await createServerCertificate();
  const caFile = join(scratch, 'mirror-ca.pem');
  const keyFile = join(scratch, 'mirror-key.pem');
  writeFileSync(caFile, cert.certPem);
  writeFileSync(keyFile, cert.keyPem, { mode: 0o600 });
  const child: ChildProcess = spawn(process.execPath, ['-e', SERVER_SCRIPT, dir, caFile, keyFile], { stdio: ['ignore', 'pipe', 'inherit'] });
  const requests: string[] = [];
  const port = await new Promise<number>((done, fail) => {
    const lines = createInterface({ input: child.stdout as NodeJS.ReadableStream });
    lines.on('line', (line) => {
      if (line.startsWith('listening ')) done(Number(line.slice('listening '.length)));
      else if (line.startsWith('GET ')) requests.push(line.slice(4));
    });
    child.once('exit', (code) => fail(new Error(`the mirror server exited (${code}) before listening`)));
  });
  return {
    url: `https://127.0.0.1:${port}/`,
    caFile,
    requests,
    close: () =>
      new Promise<void>((done) => {
        if (child.exitCode !== null) return done();
        child.once('exit', () => done());
        child.kill('SIGTERM');
      }),
  };
}

/** True when the file is an ELF executable (the single executable), not a `#!/bin/sh` wrapper. */
export function isElfExecutable(file: string): boolean {
  const head = Buffer.alloc(4);
  const fd = openSync(file, 'r');
  try {
    readSync(fd, head, 0, 4, 0);
  } finally {
    closeSync(fd);
  }
  return head.equals(Buffer.from([0x7f, 0x45, 0x4c, 0x46]));
}
