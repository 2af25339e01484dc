/** Pure arithmetic behind the figures: floors, ratios, request excess, loaded-module census. */
import { formatNumber } from './report';

/**
 * The least wall time N targets can take when each costs `requestsPerTarget` sequential requests
 * of `latencyMs` and at most `concurrency` targets are in flight: ⌈N / concurrency⌉ rounds. This
 * is issue #7's (targets / concurrency) × latency, rounded up to whole rounds.
 */
export function fleetFloorMs(targets: number, concurrency: number, latencyMs: number, requestsPerTarget = 1): number {
  if (!Number.isInteger(targets) || targets < 0) throw new RangeError(`targets must be a whole number, got ${targets}`);
  if (!Number.isInteger(concurrency) || concurrency < 1) throw new RangeError(`concurrency must be a positive integer, got ${concurrency}`);
  return Math.ceil(targets / concurrency) * latencyMs * requestsPerTarget;
}

/** `1.42×`, or `n/a` when the base is zero (a floor at 0 ms latency). */
export function formatRatio(value: number, base: number, digits = 2): string {
  return base > 0 && Number.isFinite(value) ? `${formatNumber(value / base, digits)}×` : 'n/a';
}

/** Requests of one command compared with what issue #7 allows for it. */
export interface RequestExcess {
  readonly total: number;
  readonly allowed: number;
  readonly excess: number;
  /** Routes sent more often than `allowedByRoute` permits, with how many extra. */
  readonly extraRoutes: ReadonlyArray<{ readonly route: string; readonly extra: number }>;
}

/**
 * Compares per-route counts with the allowed ones. Routes not in `allowedByRoute` are all extra;
 * `allowedTotal` caps the sum (an apply may send up to two requests per target, on any route).
 */
export function requestExcess(byRoute: Readonly<Record<string, number>>, allowedByRoute: Readonly<Record<string, number>>, allowedTotal?: number): RequestExcess {
  const total = Object.values(byRoute).reduce((sum, count) => sum + count, 0);
  const extraRoutes = Object.entries(byRoute)
    .map(([route, count]) => ({ route, extra: count - (allowedByRoute[route] ?? 0) }))
    .filter((entry) => entry.extra > 0)
    .sort((a, b) => b.extra - a.extra || a.route.localeCompare(b.route));
  const allowed = allowedTotal ?? Object.values(allowedByRoute).reduce((sum, count) => sum + count, 0);
  const excess = allowedTotal === undefined ? extraRoutes.reduce((sum, entry) => sum + entry.extra, 0) : Math.max(0, total - allowedTotal);
  return { total, allowed, excess, extraRoutes: allowedTotal === undefined || excess > 0 ? extraRoutes : [] };
}

/** Package name of a `node_modules` path (`@scope/name` or `name`), or null for other files. */
export function packageOf(modulePath: string): string | null {
  const marker = '/node_modules/';
  const at = modulePath.lastIndexOf(marker);
  if (at < 0) return null;
  const [first = '', second = ''] = modulePath.slice(at + marker.length).split('/');
  return first.startsWith('@') ? `${first}/${second}` : first;
}

/**
 * Code the `shoreguard-gitops` CLI must never load (issue #7): Pulumi, CDKTF/constructs, gRPC and
 * protobuf, and our own provider front-ends that pull them in; and sigstore (receipts load it only
 * with --receipt-dir and in verify-receipt).
 */
export const FORBIDDEN_PACKAGES: readonly RegExp[] = [/^@sigstore\//, /^@pulumi\//, /^cdktf$/, /^@cdktf\//, /^constructs$/, /^@grpc\//, /^protobufjs$/, /^@protobufjs\//];
export const FORBIDDEN_OWN_DIRS: readonly string[] = ['/provider/pulumi/', '/provider/terraform/', '/provider/cdktf/'];

export interface ModuleCensus {
  readonly total: number;
  /** Files of this package (not under node_modules). */
  readonly own: number;
  /** Files per dependency package, most first. */
  readonly packages: ReadonlyArray<{ readonly name: string; readonly files: number }>;
  /** Loaded files that must not be (package or own path). */
  readonly forbidden: readonly string[];
}

/** Counts the modules a process loaded (`require.cache` keys) and flags forbidden ones. */
export function censusOf(modulePaths: readonly string[]): ModuleCensus {
  const perPackage = new Map<string, number>();
  const forbidden: string[] = [];
  let own = 0;
  for (const file of modulePaths) {
    const name = packageOf(file);
    if (name === null) {
      own++;
      if (FORBIDDEN_OWN_DIRS.some((dir) => file.includes(dir))) forbidden.push(file);
      continue;
    }
    perPackage.set(name, (perPackage.get(name) ?? 0) + 1);
    if (FORBIDDEN_PACKAGES.some((pattern) => pattern.test(name))) forbidden.push(file);
  }
  const packages = [...perPackage.entries()].map(([name, files]) => ({ name, files })).sort((a, b) => b.files - a.files || a.name.localeCompare(b.name));
  return { total: modulePaths.length, own, packages, forbidden };
}
