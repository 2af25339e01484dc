/**
 * The plugin's gRPC server: tfplugin6.Provider plus go-plugin's health, controller and stdio
 * services, over mutual TLS (AutoMTLS) on a loopback port, and the go-plugin handshake line.
 */
import * as grpc from '@grpc/grpc-js';
import { createServerCertificate } from './certs';
import type { ProviderLogger } from './logger';
import { pluginPackageDefinition, SERVICE_NAMES } from './proto';
import type { ProviderService } from './provider';

/** go-plugin core protocol version and the tfplugin major version we serve. */
export const CORE_PROTOCOL_VERSION = 1;
export const APP_PROTOCOL_VERSION = 6;

export interface PluginServerOptions {
  readonly service: ProviderService;
  readonly logger: ProviderLogger;
  /**
   * The client's PEM certificate (PLUGIN_CLIENT_CERT). When set, the server requires it (mutual
   * TLS); when absent (a client without AutoMTLS) the server runs plaintext on loopback.
   */
  readonly clientCertPem?: string;
  /** Called after the controller's Shutdown RPC has been answered. */
  readonly onShutdown?: () => void;
  /** @default "127.0.0.1" */
  readonly host?: string;
}

export interface PluginServer {
  readonly port: number;
  /** The line to print on stdout: `1|6|tcp|127.0.0.1:PORT|grpc[|CERT]`. */
  readonly handshakeLine: string;
  /** Stops serving at once (streams included). */
  close(): Promise<void>;
}

type UnaryImpl = (request: never) => unknown;

function serviceDefinition(name: string): grpc.ServiceDefinition {
  // For a service, the package definition entry is the method map grpc-js expects.
  const definition = pluginPackageDefinition()[name];
  if (!definition) throw new Error(`proto definitions lack service ${name}`);
  return definition as unknown as grpc.ServiceDefinition;
}

function internalError(message: string): grpc.ServiceError {
  return Object.assign(new Error(message), { code: grpc.status.INTERNAL, details: message, metadata: new grpc.Metadata() });
}

/** Builds the tfplugin6.Provider implementation: each RPC timed, errors as INTERNAL (diagnostics are the normal path). */
function providerImplementation(service: ProviderService, logger: ProviderLogger): grpc.UntypedServiceImplementation {
  const rpcs: Record<string, UnaryImpl> = {
    GetMetadata: () => service.getMetadata(),
    GetProviderSchema: () => service.getProviderSchema(),
    ValidateProviderConfig: (req) => service.validateProviderConfig(req),
    ValidateResourceConfig: (req) => service.validateResourceConfig(req),
    ValidateDataResourceConfig: (req) => service.validateDataResourceConfig(req),
    UpgradeResourceState: (req) => service.upgradeResourceState(req),
    ConfigureProvider: (req) => service.configureProvider(req),
    ReadResource: (req) => service.readResource(req),
    PlanResourceChange: (req) => service.planResourceChange(req),
    ApplyResourceChange: (req) => service.applyResourceChange(req),
    ImportResourceState: (req) => service.importResourceState(req),
    ReadDataSource: (req) => service.readDataSource(req),
    StopProvider: () => service.stopProvider(),
  };
  const implementation: grpc.UntypedServiceImplementation = {};
  for (const [name, run] of Object.entries(rpcs)) {
    implementation[name] = (call: grpc.ServerUnaryCall<unknown, unknown>, callback: grpc.sendUnaryData<unknown>) => {
      // proto-loader decoded the request against the proto; each service method declares its shape.
      service.metrics
        .rpc(name, async () => run(call.request as never))
        .then((response) => callback(null, response))
        .catch((error: unknown) => {
          // Only a bug gets here (the service turns failures into diagnostics); still never leak a secret.
          const message = service.redact(`${name} failed unexpectedly: ${error instanceof Error ? error.message : String(error)}`);
          logger.error(message);
          callback(internalError(message));
        });
    };
  }
  return implementation;
}

/** Starts the server on a free loopback port and returns the handshake line to announce it. */
export async function startPluginServer(options: PluginServerOptions): Promise<PluginServer> {
  const { service, logger } = options;
  const host = options.host ?? '127.0.0.1';
  const server = new grpc.Server();
  const openStreams = new Set<grpc.ServerWritableStream<unknown, unknown>>();

  server.addService(serviceDefinition(SERVICE_NAMES.provider), providerImplementation(service, logger));
  server.addService(serviceDefinition(SERVICE_NAMES.health), {
    Check: (_call: grpc.ServerUnaryCall<unknown, unknown>, callback: grpc.sendUnaryData<unknown>) => callback(null, { status: 'SERVING' }),
    Watch: (call: grpc.ServerWritableStream<unknown, unknown>) => {
      call.write({ status: 'SERVING' });
      openStreams.add(call);
      call.on('cancelled', () => openStreams.delete(call));
    },
  });
  server.addService(serviceDefinition(SERVICE_NAMES.controller), {
    Shutdown: (_call: grpc.ServerUnaryCall<unknown, unknown>, callback: grpc.sendUnaryData<unknown>) => {
      logger.debug('shutdown requested by the client');
      callback(null, {});
      if (options.onShutdown) setImmediate(options.onShutdown);
    },
  });
  server.addService(serviceDefinition(SERVICE_NAMES.stdio), {
    // The provider never writes to stdout/stderr on behalf of the client (logs go to stderr
    // directly), so the stream stays open and silent until the client goes away.
    StreamStdio: (call: grpc.ServerWritableStream<unknown, unknown>) => {
      openStreams.add(call);
      call.on('cancelled', () => openStreams.delete(call));
    },
  });

  let credentials: grpc.ServerCredentials;
  let certField = '';
  if (options.clientCertPem) {
    const cert = await createServerCertificate();
    credentials = grpc.ServerCredentials.createSsl(Buffer.from(options.clientCertPem), [{ private_key: Buffer.from(cert.keyPem), cert_chain: Buffer.from(cert.certPem) }], true);
    certField = `|${cert.derBase64}`;
  } else {
    credentials = grpc.ServerCredentials.createInsecure();
  }

  const port = await new Promise<number>((resolve, reject) => {
    server.bindAsync(`${host}:0`, credentials, (error, boundPort) => (error ? reject(error) : resolve(boundPort)));
  });

  return {
    port,
    handshakeLine: `${CORE_PROTOCOL_VERSION}|${APP_PROTOCOL_VERSION}|tcp|${host}:${port}|grpc${certField}`,
    async close() {
      for (const stream of openStreams) stream.end();
      openStreams.clear();
      server.forceShutdown();
      await service.close();
    },
  };
}
