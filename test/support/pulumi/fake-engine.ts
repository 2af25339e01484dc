/**
 * A "fake engine": spawns Pulumi's real dynamic-provider host (`@pulumi/pulumi/cmd/dynamic-provider`,
 * what `pulumi-resource-pulumi-nodejs` runs) in a consumer-like project and drives it over gRPC the
 * way the engine does, with `__provider` in the properties.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { createRequire } from 'node:module';
import type * as grpcTypes from '@grpc/grpc-js';

// The proto stubs and grpc-js are taken from @pulumi/pulumi's own dependency tree, as the host does.
const pulumiRequire = createRequire(require.resolve('@pulumi/pulumi'));
const grpc = pulumiRequire('@grpc/grpc-js') as typeof grpcTypes;
const providerGrpc = pulumiRequire('./proto/provider_grpc_pb') as { ResourceProviderClient: new (address: string, credentials: grpcTypes.ChannelCredentials) => grpcTypes.Client };
const providerProto = pulumiRequire('./proto/provider_pb') as Record<string, new () => ProtoMessage>;
const structProto = pulumiRequire('google-protobuf/google/protobuf/struct_pb') as { Struct: { fromJavaScript(value: Record<string, unknown>): ProtoMessage } };

/** The parts of a generated protobuf message these tests use. */
interface ProtoMessage {
  [setter: string]: unknown;
  toObject?(): unknown;
}

export type Props = Record<string, unknown>;

/** Pulumi's wire form of a secret value (as the engine sends secret config). */
export function secretValue(value: string): Props {
  return { '4dabf18193072939515e22adb298388d': '1b47061264138c4ac30d75fd1eb44270', value };
}

function struct(value: Props): ProtoMessage {
  return structProto.Struct.fromJavaScript(value);
}

function message(type: string, fields: Record<string, unknown>): ProtoMessage {
  const Message = providerProto[type];
  if (!Message) throw new Error(`no proto message ${type}`);
  const msg = new Message();
  for (const [field, value] of Object.entries(fields)) {
    const setter = msg[`set${field}`] as ((v: unknown) => void) | undefined;
    if (typeof setter !== 'function') throw new Error(`${type} has no setter for ${field}`);
    setter.call(msg, value);
  }
  return msg;
}

interface Reply {
  [getter: string]: () => unknown;
}

export interface CheckReply {
  inputs: Props;
  failures: { property: string; reason: string }[];
}
export interface DiffReply {
  changes: 'none' | 'some' | 'unknown';
  replaces: string[];
  deleteBeforeReplace: boolean;
}

const DIFF_CHANGES = ['unknown', 'none', 'some'] as const;

export class FakeEngine {
  private constructor(
    private readonly child: ChildProcess,
    private readonly client: grpcTypes.Client,
    readonly stderr: () => string,
  ) {}

  /** Starts the host with `cwd` (a consumer project) and the given environment. */
  static async start(cwd: string, env: NodeJS.ProcessEnv): Promise<FakeEngine> {
    const host = require.resolve('@pulumi/pulumi/cmd/dynamic-provider');
    // The engine address argument is required but unused by the host.
    const child = spawn(process.execPath, [host, '127.0.0.1:1'], { cwd, env, stdio: ['ignore', 'pipe', 'pipe'] });
    let stderr = '';
    child.stderr?.on('data', (chunk: Buffer) => {
      stderr += chunk.toString();
    });
    const port = await new Promise<number>((resolve, reject) => {
      let stdout = '';
      const onData = (chunk: Buffer) => {
        stdout += chunk.toString();
        const line = stdout.split('\n')[0];
        if (stdout.includes('\n') && line) {
          child.stdout?.off('data', onData);
          resolve(Number(line.trim()));
        }
      };
      child.stdout?.on('data', onData);
      child.once('exit', (code) => reject(new Error(`dynamic-provider host exited with ${code}: ${stderr}`)));
    });
    const client = new providerGrpc.ResourceProviderClient(`127.0.0.1:${port}`, grpc.credentials.createInsecure());
    return new FakeEngine(child, client, () => stderr);
  }

  private call(method: string, request: ProtoMessage): Promise<Reply> {
    return new Promise((resolve, reject) => {
      const fn = (this.client as unknown as Record<string, (req: ProtoMessage, cb: (error: Error | null, reply: Reply) => void) => void>)[method];
      if (!fn) throw new Error(`no RPC ${method}`);
      fn.call(this.client, request, (error, reply) => (error ? reject(error) : resolve(reply)));
    });
  }

  async configure(config: Props): Promise<void> {
    await this.call('configure', message('ConfigureRequest', { Args: struct(config) }));
  }

  async check(urn: string, olds: Props, news: Props): Promise<CheckReply> {
    const reply = await this.call('check', message('CheckRequest', { Urn: urn, Olds: struct(olds), News: struct(news) }));
    const failures = (reply['getFailuresList']!() as Reply[]).map((f) => ({ property: f['getProperty']!() as string, reason: f['getReason']!() as string }));
    return { inputs: toJs(reply['getInputs']!()), failures };
  }

  async diff(urn: string, id: string, olds: Props, news: Props): Promise<DiffReply> {
    const reply = await this.call('diff', message('DiffRequest', { Urn: urn, Id: id, Olds: struct(olds), News: struct(news) }));
    return {
      changes: DIFF_CHANGES[reply['getChanges']!() as number] ?? 'unknown',
      replaces: reply['getReplacesList']!() as string[],
      deleteBeforeReplace: reply['getDeletebeforereplace']!() as boolean,
    };
  }

  async create(urn: string, properties: Props): Promise<{ id: string; properties: Props }> {
    const reply = await this.call('create', message('CreateRequest', { Urn: urn, Properties: struct(properties) }));
    return { id: reply['getId']!() as string, properties: toJs(reply['getProperties']!()) };
  }

  async read(urn: string, id: string, properties: Props): Promise<{ id: string; properties: Props }> {
    const reply = await this.call('read', message('ReadRequest', { Urn: urn, Id: id, Properties: struct(properties) }));
    return { id: reply['getId']!() as string, properties: toJs(reply['getProperties']!()) };
  }

  async update(urn: string, id: string, olds: Props, news: Props): Promise<Props> {
    const reply = await this.call('update', message('UpdateRequest', { Urn: urn, Id: id, Olds: struct(olds), News: struct(news) }));
    return toJs(reply['getProperties']!());
  }

  async delete(urn: string, id: string, properties: Props): Promise<void> {
    await this.call('delete', message('DeleteRequest', { Urn: urn, Id: id, Properties: struct(properties) }));
  }

  async stop(): Promise<void> {
    this.client.close();
    if (this.child.exitCode !== null) return;
    const exited = new Promise((resolve) => this.child.once('exit', resolve));
    this.child.kill('SIGTERM');
    await exited;
  }
}

function toJs(value: unknown): Props {
  const withJs = value as { toJavaScript?: () => Props } | undefined;
  return withJs?.toJavaScript?.() ?? {};
}
