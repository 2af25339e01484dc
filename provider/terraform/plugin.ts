/**
 * The plugin process lifecycle, as go-plugin expects it from a plugin in any language:
 * check the magic cookie, pick the protocol version, start the gRPC server, print exactly one
 * handshake line on stdout, then serve until the client's Shutdown RPC.
 */
import { join } from 'node:path';
import type { LookupHandler, ResourceHandler } from '../resources/types';
import { createLogger, type ProviderLogger } from './logger';
import { ProviderMetrics } from './metrics';
import { ProviderService } from './provider';
import { APP_PROTOCOL_VERSION, type PluginServer, startPluginServer } from './server';

/** Terraform's go-plugin handshake cookie (the same for every Terraform/OpenTofu provider). */
export const MAGIC_COOKIE_KEY = 'TF_PLUGIN_MAGIC_COOKIE';
export const MAGIC_COOKIE_VALUE = 'd602bf8f470bc67ca7faa0386276bbdd4330efaf76d1a219cb4d6991ca9872b2';

export type Negotiation = { readonly ok: true } | { readonly ok: false; readonly message: string };

/** Decides whether this process was started by a Terraform/OpenTofu that speaks tfplugin6. */
export function negotiate(env: Readonly<Record<string, string | undefined>>): Negotiation {
  if (env[MAGIC_COOKIE_KEY] !== MAGIC_COOKIE_VALUE) {
    return {
      ok: false,
      message:
        'This program is terraform-provider-shoreguard, a plugin that Terraform or OpenTofu start themselves; it is not meant to be run directly.\n' +
        'Run `npx shoreguard-iac terraform install` to make it available to `terraform init` / `tofu init`.\n',
    };
  }
  const offered = (env['PLUGIN_PROTOCOL_VERSIONS'] ?? '')
    .split(',')
    .map((v) => v.trim())
    .filter((v) => v !== '');
  if (offered.length > 0 && !offered.includes(String(APP_PROTOCOL_VERSION))) {
    return {
      ok: false,
      message: `terraform-provider-shoreguard speaks plugin protocol ${APP_PROTOCOL_VERSION}, but the client offers ${offered.join(', ')}. Use Terraform >= 1.0 or OpenTofu >= 1.6.\n`,
    };
  }
  return { ok: true };
}

export interface RunPluginOptions {
  readonly resources: Readonly<Record<string, ResourceHandler>>;
  readonly lookups: Readonly<Record<string, LookupHandler>>;
  /** @default process.env */
  readonly env?: Readonly<Record<string, string | undefined>>;
  /** Where the handshake line goes. @default process.stdout */
  readonly writeStdout?: (text: string) => void;
  /** Where complaints go before the logger exists. @default process.stderr */
  readonly writeStderr?: (text: string) => void;
  readonly logger?: ProviderLogger;
  /** Called once the client asked to shut down and the server is closed. @default process.exit(0) */
  readonly onExit?: () => void;
}

/**
 * Runs the plugin: returns the server, or `null` after explaining on stderr why it cannot run
 * (the caller then exits with status 1).
 */
export async function runPlugin(options: RunPluginOptions): Promise<PluginServer | null> {
  const env = options.env ?? process.env;
  const writeStderr = options.writeStderr ?? ((text: string) => void process.stderr.write(text));
  const negotiation = negotiate(env);
  if (!negotiation.ok) {
    writeStderr(negotiation.message);
    return null;
  }
  const logger = options.logger ?? createLogger();
  const metrics = new ProviderMetrics();
  const service = new ProviderService({ resources: options.resources, lookups: options.lookups, logger, env, metrics });
  // Terraform starts several plugin processes per command: each writes its own file.
  const metricsDir = env['SHOREGUARD_TF_METRICS_DIR'];
  const clientCert = env['PLUGIN_CLIENT_CERT'];
  let server: PluginServer | undefined;
  const shutdown = (): void => {
    if (metricsDir) metrics.writeTo(join(metricsDir, `terraform-provider-shoreguard-${process.pid}.json`), (message) => logger.warn(message));
    void (server?.close() ?? Promise.resolve()).finally(options.onExit ?? (() => process.exit(0)));
  };
  server = await startPluginServer({ service, logger, ...(clientCert ? { clientCertPem: clientCert } : {}), onShutdown: shutdown });
  (options.writeStdout ?? ((text: string) => void process.stdout.write(text)))(`${server.handshakeLine}\n`);
  logger.debug('plugin started', { port: server.port, mtls: Boolean(clientCert) });
  return server;
}
