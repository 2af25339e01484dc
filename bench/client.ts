/**
 * Client overhead of the SDK per request, against the emulator: requests/second and latency
 * (p50/p95) of `gateways.list()` at concurrency 1 and 16, next to the same GET sent with a bare
 * undici `Pool.request` + `JSON.parse` as the baseline. The difference is what the SDK itself adds
 * (headers, retry bookkeeping, error mapping, zod validation and the camelCase mapping).
 *
 * The emulator runs as a child process by default, so the client's CPU time per request is its own
 * (the `client CPU` column). A figure, not an assertion. Prints a markdown table and writes it to
 * bench/results/client.md.
 *
 *   npm run build && node dist/bench/client.js [--seconds 0.8] [--rounds 4] [--gateways 5] [--in-process]
 */
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { Pool } from 'undici';
import { createClient } from '../sdk';
import { type EmulatorProcess, startEmulatorProcess } from './lib/emulator-process';
import { type LoadSample, type LoadSummary, runClosedLoop, summarize } from './lib/measure';
import { environmentLine, formatNumber, markdownTable, writeResult } from './lib/report';

const CONCURRENCIES = [1, 16] as const;
const ROUTE = '/api/gateway/list';
const WARMUP_MS = 500;

interface BenchOptions {
  readonly secondsPerSample: number;
  readonly rounds: number;
  readonly gateways: number;
  readonly inProcess: boolean;
}

interface Server {
  readonly url: string;
  readonly adminKey: string;
  readonly where: string;
  close(): Promise<void>;
}

/** One way of sending the GET: `run` performs one request and resolves with the item count. */
interface Contender {
  readonly name: string;
  readonly run: () => Promise<number>;
  close(): Promise<void>;
}

function parseOptions(argv: readonly string[]): BenchOptions {
  const { values } = parseArgs({
    args: [...argv],
    options: {
      seconds: { type: 'string', default: '0.8' },
      rounds: { type: 'string', default: '4' },
      gateways: { type: 'string', default: '5' },
      'in-process': { type: 'boolean', default: false },
    },
  });
  const positive = (name: string, text: string): number => {
    const value = Number(text);
    if (!(value > 0)) throw new Error(`--${name} must be a positive number, got ${JSON.stringify(text)}`);
    return value;
  };
  return {
    secondsPerSample: positive('seconds', values.seconds),
    rounds: Math.round(positive('rounds', values.rounds)),
    gateways: Math.round(positive('gateways', values.gateways)),
    inProcess: values['in-process'],
  };
}

async function startServer(inProcess: boolean): Promise<Server> {
  if (inProcess) {
    // Required lazily: the default child-process mode must not load the emulator into this process.
    const { startEmulator } = require('../emulator') as typeof import('../emulator');
    const emulator = await startEmulator({ port: 0 });
    return { url: emulator.url, adminKey: emulator.keys.admin, where: 'this process (so client CPU includes the server)', close: () => emulator.close() };
  }
  const child: EmulatorProcess = await startEmulatorProcess(join(__dirname, '..', 'cli', 'shoreguard-iac.js'));
  return { url: child.url, adminKey: child.keys.admin, where: 'a child process', close: () => child.close() };
}

function sdkContender(server: Server): Contender {
  const client = createClient({ url: server.url, token: server.adminKey, env: {} });
  return { name: 'SDK `gateways.list()`', run: async () => (await client.gateways.list()).length, close: () => client.close() };
}

function rawContender(server: Server): Contender {
  const origin = new URL(server.url).origin;
  const pool = new Pool(origin, { keepAliveTimeout: 30_000 });
  const headers = { authorization: `Bearer ${server.adminKey}` };
  return {
    name: 'raw undici `Pool.request`',
    run: async () => {
      const response = await pool.request({ path: ROUTE, method: 'GET', headers });
      const text = await response.body.text();
      if (response.statusCode !== 200) throw new Error(`GET ${ROUTE} answered ${response.statusCode}`);
      return (JSON.parse(text) as { items: unknown[] }).items.length;
    },
    close: () => pool.close(),
  };
}

async function main(): Promise<void> {
  const options = parseOptions(process.argv.slice(2));
  const server = await startServer(options.inProcess);
  const contenders = [rawContender(server), sdkContender(server)];
  try {
    const seeder = createClient({ url: server.url, token: server.adminKey, env: {} });
    for (let i = 0; i < options.gateways; i++) {
      await seeder.gateways.register({ name: `bench-gw-${i}`, endpoint: `127.0.0.1:${50_000 + i}`, labels: { env: 'bench' } });
    }
    await seeder.close();
    // Both contenders must see the same data, or the comparison is meaningless.
    for (const contender of contenders) {
      const items = await contender.run();
      if (items !== options.gateways) throw new Error(`${contender.name} saw ${items} gateways, expected ${options.gateways}`);
    }

    // Warm the JIT and the connection pools before anything is measured.
    for (const contender of contenders) await runClosedLoop(contender.run, { concurrency: 16, durationMs: WARMUP_MS });
    // Rounds interleave the contenders, and alternate which goes first, so drift on a shared
    // machine (and whatever one run leaves behind in the server) hits both alike.
    const samples = new Map<string, LoadSample[]>();
    for (let round = 0; round < options.rounds; round++) {
      const order = round % 2 === 0 ? contenders : [...contenders].reverse();
      for (const concurrency of CONCURRENCIES) {
        for (const contender of order) {
          const sample = await runClosedLoop(contender.run, {
            concurrency,
            durationMs: options.secondsPerSample * 1000,
            warmupRequests: 2 * concurrency,
          });
          const key = `${contender.name}@${concurrency}`;
          samples.set(key, [...(samples.get(key) ?? []), sample]);
        }
      }
    }
    const summary = (contender: Contender, concurrency: number): LoadSummary => summarize(samples.get(`${contender.name}@${concurrency}`) ?? []);
    const markdown = render(options, server, contenders, summary);
    process.stdout.write(`${markdown}\n`);
    process.stdout.write(`\nwrote ${writeResult('client', markdown)}\n`);
  } finally {
    await Promise.all(contenders.map((contender) => contender.close()));
    await server.close();
  }
}

function render(options: BenchOptions, server: Server, contenders: readonly Contender[], summary: (contender: Contender, concurrency: number) => LoadSummary): string {
  const [raw, sdk] = contenders as [Contender, Contender];
  const figures = CONCURRENCIES.flatMap((concurrency) =>
    contenders.map((contender) => {
      const s = summary(contender, concurrency);
      return [contender.name, concurrency, formatNumber(s.requestsPerSecond), formatNumber(s.p50Us), formatNumber(s.p95Us), formatNumber(s.cpuUsPerRequest, 1), formatNumber(s.requests)];
    }),
  );
  const overhead = CONCURRENCIES.map((concurrency) => {
    const base = summary(raw, concurrency);
    const withSdk = summary(sdk, concurrency);
    return [
      concurrency,
      formatNumber(withSdk.cpuUsPerRequest - base.cpuUsPerRequest, 1),
      formatNumber(withSdk.p50Us - base.p50Us, 1),
      formatNumber(1e6 / withSdk.requestsPerSecond - 1e6 / base.requestsPerSecond, 1),
      `${formatNumber((withSdk.requestsPerSecond / base.requestsPerSecond) * 100, 1)} %`,
    ];
  });
  return [
    '# SDK client overhead per request',
    '',
    `Workload: \`GET ${ROUTE}\` returning ${options.gateways} gateways, against the emulator in ${server.where}, over loopback with keep-alive.`,
    `Each row: ${options.rounds} round(s) × ${options.secondsPerSample} s of closed-loop load, rounds interleaved between the two clients; req/s and CPU are medians over rounds. ${environmentLine()}. ${new Date().toISOString()}.`,
    '',
    markdownTable(['client', 'concurrency', 'req/s', 'p50 µs', 'p95 µs', 'client CPU µs/req', 'requests'], figures, ['left', 'right', 'right', 'right', 'right', 'right', 'right']),
    '',
    '## What the SDK adds per request (SDK − raw)',
    '',
    markdownTable(['concurrency', 'client CPU µs/req', 'p50 latency µs', 'wall µs/req (1/throughput)', 'SDK throughput vs raw'], overhead, ['right', 'right', 'right', 'right', 'right']),
    '',
    '`client CPU µs/req` is the CPU time of the benchmark process divided by the requests it sent; with the emulator in a child process it is the',
    "client's own cost, the most direct figure of SDK overhead. Latency and throughput also include the server and the machine's other load.",
  ].join('\n');
}

main().catch((error: unknown) => {
  process.stderr.write(`bench/client: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
  process.exitCode = 1;
});
