/**
 * A minimal "Terraform core" for tests: starts the plugin server in-process the way go-plugin
 * would (client certificate in, handshake line out), then talks to it over mutual TLS with
 * grpc-js. Values are encoded with the provider's own cty codec.
 */
import * as grpc from '@grpc/grpc-js';
import { createServerCertificate, type ServerCertificate } from '../../../provider/terraform/certs';
import { createLogger } from '../../../provider/terraform/logger';
import { pluginPackageDefinition } from '../../../provider/terraform/proto';
import { ProviderService } from '../../../provider/terraform/provider';
import { type PluginServer, startPluginServer } from '../../../provider/terraform/server';
import { lookups, resources } from '../../../provider/resources';
import type { LookupHandler, ResourceHandler } from '../../../provider/resources/types';

export interface Handshake {
  readonly core: string;
  readonly app: string;
  readonly network: string;
  readonly address: string;
  readonly protocol: string;
  readonly certDerBase64: string;
}

export function parseHandshake(line: string): Handshake {
  const [core = '', app = '', network = '', address = '', protocol = '', certDerBase64 = ''] = line.split('|');
  return { core, app, network, address, protocol, certDerBase64 };
}

export function derBase64ToPem(unpadded: string): string {
  const padded = unpadded + '='.repeat((4 - (unpadded.length % 4)) % 4);
  const body = Buffer.from(padded, 'base64').toString('base64').replace(/(.{64})/g, '$1\n').replace(/\n$/, '');
  return `-----BEGIN CERTIFICATE-----\n${body}\n-----END CERTIFICATE-----\n`;
}

type Callback = (error: grpc.ServiceError | null, response: unknown) => void;
type UnaryMethod = (request: unknown, callback: Callback) => void;

export interface PluginHarness {
  readonly server: PluginServer;
  readonly handshake: Handshake;
  readonly clientCert: ServerCertificate;
  readonly logLines: string[];
  shutdowns: number;
  /** Calls a tfplugin6.Provider RPC. */
  provider(method: string, request: unknown): Promise<Record<string, unknown>>;
  /** Calls grpc.health.v1.Health/Check. */
  health(): Promise<Record<string, unknown>>;
  /** Calls plugin.GRPCController/Shutdown. */
  shutdown(): Promise<void>;
  /** A channel with other credentials, for negative tests. */
  clientWith(credentials: grpc.ChannelCredentials): grpc.Client;
  close(): Promise<void>;
}

type ClientConstructor = new (address: string, credentials: grpc.ChannelCredentials, options?: grpc.ChannelOptions) => grpc.Client & Record<string, UnaryMethod>;

function serviceClient(path: string): ClientConstructor {
  let node: unknown = grpc.loadPackageDefinition(pluginPackageDefinition());
  for (const part of path.split('.')) node = (node as Record<string, unknown>)[part];
  return node as ClientConstructor;
}

function call(client: grpc.Client & Record<string, UnaryMethod>, method: string, request: unknown): Promise<Record<string, unknown>> {
  const fn = client[method];
  if (!fn) throw new Error(`no method ${method}`);
  return new Promise((resolve, reject) => fn.call(client, request, (error, response) => (error ? reject(error) : resolve(response as Record<string, unknown>))));
}

export const TARGET_NAME_OVERRIDE = { 'grpc.ssl_target_name_override': 'localhost', 'grpc.default_authority': 'localhost' };

export interface HarnessOptions {
  readonly env?: Record<string, string | undefined>;
  /** @default provider/resources `resources` */
  readonly resources?: Readonly<Record<string, ResourceHandler>>;
  /** @default provider/resources `lookups` */
  readonly lookups?: Readonly<Record<string, LookupHandler>>;
}

export async function startPluginHarness(options: HarnessOptions = {}): Promise<PluginHarness> {
  const env = options.env ?? {};
  const clientCert = await createServerCertificate();
  const logLines: string[] = [];
  const logger = createLogger({ write: (line) => logLines.push(line) });
  const service = new ProviderService({ resources: options.resources ?? resources, lookups: options.lookups ?? lookups, logger, env });
  const harness = {
    shutdowns: 0,
  } as { shutdowns: number };
  const server = await startPluginServer({ service, logger, clientCertPem: clientCert.certPem, onShutdown: () => void (harness.shutdowns += 1) });
  const handshake = parseHandshake(server.handshakeLine);
  const credentials = grpc.credentials.createSsl(Buffer.from(derBase64ToPem(handshake.certDerBase64)), Buffer.from(clientCert.keyPem), Buffer.from(clientCert.certPem));
  const Provider = serviceClient('tfplugin6.Provider');
  const Health = serviceClient('grpc.health.v1.Health');
  const Controller = serviceClient('plugin.GRPCController');
  const provider = new Provider(handshake.address, credentials, TARGET_NAME_OVERRIDE);
  const health = new Health(handshake.address, credentials, TARGET_NAME_OVERRIDE);
  const controller = new Controller(handshake.address, credentials, TARGET_NAME_OVERRIDE);
  return Object.assign(harness, {
    server,
    handshake,
    clientCert,
    logLines,
    provider: (method: string, request: unknown) => call(provider, method, request),
    health: () => call(health, 'Check', { service: 'plugin' }),
    shutdown: async () => void (await call(controller, 'Shutdown', {})),
    clientWith: (other: grpc.ChannelCredentials) => new Provider(handshake.address, other, TARGET_NAME_OVERRIDE),
    close: async () => {
      for (const client of [provider, health, controller]) client.close();
      await server.close();
    },
  });
}
