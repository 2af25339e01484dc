/**
 * A fleet of sandboxes on the emulator and its policy tree on disk: seeded through the control
 * API, exported once with `shoreguard-gitops export --all` (so every file is canonical and carries
 * its lock), then copied into a drifted tree where each file adds one read-only path.
 */
import { cpSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { mapConcurrent } from '../../bridge/core/concurrency';
import type { EmulatorControl } from './emulator-control';
import { runGitopsJson, type Server } from './gitops-cli';
import { addDriftToFile, fleetPolicy } from './policies';

export interface FleetTarget {
  readonly gateway: string;
  readonly sandbox: string;
  readonly index: number;
}

/** Sandboxes per gateway: a fleet of 500 spans five gateways, as a platform team's would. */
export const SANDBOXES_PER_GATEWAY = 100;

/** `count` targets named `<prefix>-gw-<g>/sb-<nnnn>`, at most {@link SANDBOXES_PER_GATEWAY} per gateway. */
export function fleetTargets(count: number, prefix = 'fleet'): FleetTarget[] {
  return Array.from({ length: count }, (_, index) => ({
    gateway: `${prefix}-gw-${Math.floor(index / SANDBOXES_PER_GATEWAY)}`,
    sandbox: `sb-${String(index).padStart(4, '0')}`,
    index,
  }));
}

const SEED_CONCURRENCY = 16;

/** Registers the targets' gateways and gives every target its fixture policy as revision 1. */
export async function seedFleet(control: EmulatorControl, targets: readonly FleetTarget[]): Promise<void> {
  for (const gateway of new Set(targets.map((target) => target.gateway))) await control.registerGateway(gateway);
  await reseedFleet(control, targets);
}

/** Puts every target back to its fixture policy (same content, so the same lock hash as before). */
export async function reseedFleet(control: EmulatorControl, targets: readonly FleetTarget[]): Promise<void> {
  await mapConcurrent(targets, SEED_CONCURRENCY, (target) => control.seedSandbox(target.gateway, target.sandbox, fleetPolicy(target.index)));
}

/** The policy tree of a fleet, in sync with the server, and a copy where every file drifts. */
export interface FleetTrees {
  readonly inSync: string;
  readonly drifted: string;
  remove(): void;
}

/** Exports the whole server into a fresh tree (checked: every target exported) and makes the drifted copy. */
export async function exportFleetTrees(server: Server, targetCount: number): Promise<FleetTrees> {
  const root = mkdtempSync(join(tmpdir(), 'sg-bench-fleet-'));
  const inSync = join(root, 'in-sync');
  const drifted = join(root, 'drifted');
  await runGitopsJson(['export', '--all', '--dir', inSync], server, { exitCodes: [0], counts: { exported: targetCount } });
  cpSync(inSync, drifted, { recursive: true });
  for (const file of policyFiles(drifted)) addDriftToFile(file);
  return { inSync, drifted, remove: () => rmSync(root, { recursive: true, force: true }) };
}

/** Every `*.yaml` under `dir` (the default layout: `<gateway>/<sandbox>.yaml`). */
export function policyFiles(dir: string): string[] {
  return readdirSync(dir, { recursive: true, encoding: 'utf8' })
    .filter((file) => file.endsWith('.yaml'))
    .sort()
    .map((file) => join(dir, file));
}
