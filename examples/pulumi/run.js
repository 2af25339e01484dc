#!/usr/bin/env node
// Drives examples/pulumi against an in-process ShoreGuard emulator with the real Pulumi CLI.
// Start it with `bash examples/pulumi/run.sh` (which builds everything first).
// Steps: start the emulator (seeding the on-call user and the sandboxes the pin and hook refer to),
// `pulumi up`, `pulumi refresh`, `pulumi up --expect-no-changes`, `pulumi destroy`.
'use strict';
const { spawn } = require('node:child_process');
const { mkdirSync, rmSync } = require('node:fs');
const path = require('node:path');

const ROOT = path.resolve(__dirname, '../..');
const { startEmulator } = require(path.join(ROOT, 'dist/emulator'));

const pulumiBin = process.argv[2];
if (!pulumiBin) {
  console.error('usage: node examples/pulumi/run.js <dir of the pulumi binary>  (use examples/pulumi/run.sh)');
  process.exit(2);
}

// Asynchronous on purpose: the emulator runs in this process and must keep answering meanwhile.
function pulumi(env, ...args) {
  // Never echo a secret value (the argument after the key of `config set --secret`).
  const shown = args.includes('--secret') ? [...args.slice(0, -1), '[secret]'] : args;
  console.log(`\n$ pulumi ${shown.join(' ')}`);
  return new Promise((resolve, reject) => {
    const child = spawn(path.join(pulumiBin, 'pulumi'), [...args, '--non-interactive'], { cwd: __dirname, env, stdio: 'inherit' });
    child.on('error', reject);
    child.on('close', (code) => (code === 0 ? resolve() : reject(new Error(`pulumi ${args[0]} failed with exit code ${code}`))));
  });
}

async function main() {
  const emulator = await startEmulator({ port: 0 });
  emulator.state.addUser('alice@example.com', 'viewer');
  // Pins need the sandbox to exist on the gateway (ShoreGuard reads its active policy version).
  emulator.state.seedSandbox('edge-prod', 'agent-1', { filesystem: { read_only: ['/usr'] } });
  console.log(`ShoreGuard emulator at ${emulator.url}`);

  const work = path.join(ROOT, '.cache/pulumi-example');
  rmSync(work, { recursive: true, force: true });
  mkdirSync(path.join(work, 'state'), { recursive: true });
  const env = {
    ...process.env,
    PATH: [pulumiBin, path.dirname(process.execPath), process.env.PATH].join(path.delimiter),
    PULUMI_HOME: path.join(work, 'home'),
    PULUMI_BACKEND_URL: `file://${path.join(work, 'state')}`,
    PULUMI_CONFIG_PASSPHRASE: 'example-only-passphrase',
    PULUMI_SKIP_UPDATE_CHECK: 'true',
    PULUMI_DISABLE_AUTOMATIC_PLUGIN_ACQUISITION: 'true',
  };
  const freezeUntil = new Date(Date.now() + 14 * 86_400_000).toISOString();
  try {
    await pulumi(env, 'stack', 'init', 'dev');
    await pulumi(env, 'config', 'set', 'shoreguard:url', emulator.url);
    // The key goes to the stack config as a secret (encrypted in Pulumi.dev.yaml and in state).
    await pulumi(env, 'config', 'set', '--secret', 'shoreguard:apiKey', emulator.adminKey);
    await pulumi(env, 'config', 'set', 'example:freezeUntil', freezeUntil);
    await pulumi(env, 'up', '--yes');
    await pulumi(env, 'refresh', '--yes');
    await pulumi(env, 'up', '--yes', '--expect-no-changes');
    await pulumi(env, 'destroy', '--yes');
    console.log('\nexample finished: created, refreshed, re-applied with no changes, destroyed');
  } finally {
    rmSync(path.join(__dirname, 'Pulumi.dev.yaml'), { force: true });
    await emulator.close();
  }
}

main().catch((error) => {
  console.error(error instanceof Error ? error.message : error);
  process.exit(1);
});
