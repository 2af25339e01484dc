/**
 * The Pulumi front-end's shape, without an engine: argument names derive from schema.json, type
 * tokens, output seeding, secret wrapping of certificates (via Pulumi's mocks), the camelCase
 * mapping, and the local config → client options mapping.
 */
import * as pulumi from '@pulumi/pulumi';
import * as shoreguard from '../../../provider/pulumi';
import { pulumiTypeName, toCamel, toSnake } from '../../../provider/pulumi/names';
import { clientOptionsFromConfig } from '../../../provider/pulumi/settings';
import { inputAttributes, resourceSchema, resourceTypes } from '../../../provider/resources';

interface Registered {
  type: string;
  name: string;
  inputs: Record<string, unknown>;
}

const registered: Registered[] = [];

beforeAll(async () => {
  await pulumi.runtime.setMocks(
    {
      newResource: (args) => {
        registered.push({ type: args.type, name: args.name, inputs: args.inputs as Record<string, unknown> });
        return { id: `${args.name}-id`, state: { ...args.inputs, status: 'connected' } };
      },
      call: () => ({}),
    },
    'mocks',
    'test',
    true,
  );
});

function outputValue<T>(output: pulumi.Output<T>): Promise<T> {
  return new Promise((resolve) => output.apply((value) => resolve(value)));
}

describe('argument names', () => {
  it('GIVEN schema.json WHEN comparing each resource class THEN its arguments are the settable attributes camelCased plus adopt', () => {
    for (const type of resourceTypes()) {
      const expected = [...inputAttributes(resourceSchema(type)).map((a) => toCamel(a.name)), 'adopt'].sort();
      const className = pulumiTypeName(type) as keyof typeof shoreguard.argumentNames;
      expect({ className, names: [...shoreguard.argumentNames[className]].sort() }).toEqual({ className, names: expected });
      expect(typeof shoreguard[className]).toBe('function');
    }
  });

  it('GIVEN attribute names WHEN mapped both ways THEN the mapping is mechanical and reversible', () => {
    for (const type of resourceTypes()) {
      for (const attribute of resourceSchema(type).attributes) expect(toSnake(toCamel(attribute.name))).toBe(attribute.name);
    }
    expect(toCamel('escalation_timeout_minutes')).toBe('escalationTimeoutMinutes');
    expect(pulumiTypeName('shoreguard_group_gateway_role')).toBe('GroupGatewayRole');
  });
});

describe('resource registration (Pulumi mocks)', () => {
  it('GIVEN a gateway with a client key WHEN constructed THEN it registers the shoreguard type token with __provider, and the key is a secret', async () => {
    const gateway = new shoreguard.Gateway('edge', { name: 'edge-1', endpoint: 'gw.example.com:8443', clientCert: 'Q0VSVA==', clientKey: 'S0VZ', labels: { env: 'prod' } });
    await outputValue(gateway.id);
    const entry = registered.find((r) => r.name === 'edge');
    expect(entry?.type).toBe('pulumi-nodejs:dynamic/shoreguard:Gateway');
    expect(typeof entry?.inputs['__provider']).toBe('string');
    expect(entry?.inputs['__provider']).not.toContain('S0VZ');
    expect(await outputValue(gateway.status)).toBe('connected');
    expect(await outputValue(gateway.labels)).toEqual({ env: 'prod' });
    expect(await pulumi.isSecret(gateway.clientKey)).toBe(true);
    expect(await pulumi.isSecret(gateway.clientCert)).toBe(true);
    expect(await pulumi.isSecret(gateway.labels)).toBe(false);
  });

  it('GIVEN each resource class WHEN constructed THEN its type token is pulumi-nodejs:dynamic/shoreguard:<Class>', async () => {
    const group = new shoreguard.Group('g', { name: 'sre' });
    const resources: pulumi.CustomResource[] = [
      group,
      new shoreguard.GroupMembership('m', { groupId: group.id, userId: '7' }),
      new shoreguard.GroupGatewayRole('r', { groupId: group.id, gateway: 'gw', role: 'operator' }),
      new shoreguard.ApprovalWorkflow('w', { gateway: 'gw', sandboxName: 'sb', requiredApprovals: 2 }),
      new shoreguard.PolicyPin('p', { gateway: 'gw', sandboxName: 'sb', reason: 'freeze' }),
      new shoreguard.SandboxBootHook('h', { gateway: 'gw', sandboxName: 'sb', name: 'warm', phase: 'pre_create', command: 'true' }),
    ];
    await Promise.all(resources.map((r) => outputValue(r.id)));
    const tokens = Object.fromEntries(registered.filter((r) => ['g', 'm', 'r', 'w', 'p', 'h'].includes(r.name)).map((r) => [r.name, r.type]));
    expect(tokens).toEqual({
      g: 'pulumi-nodejs:dynamic/shoreguard:Group',
      m: 'pulumi-nodejs:dynamic/shoreguard:GroupMembership',
      r: 'pulumi-nodejs:dynamic/shoreguard:GroupGatewayRole',
      w: 'pulumi-nodejs:dynamic/shoreguard:ApprovalWorkflow',
      p: 'pulumi-nodejs:dynamic/shoreguard:PolicyPin',
      h: 'pulumi-nodejs:dynamic/shoreguard:SandboxBootHook',
    });
  });

  it('GIVEN two gateways WHEN constructed THEN they share one serialized provider (the singleton)', async () => {
    const a = new shoreguard.Gateway('a', { name: 'a', endpoint: 'a:1' });
    const b = new shoreguard.Gateway('b', { name: 'b', endpoint: 'b:1' });
    await Promise.all([outputValue(a.id), outputValue(b.id)]);
    const providers = registered.filter((r) => r.name === 'a' || r.name === 'b').map((r) => r.inputs['__provider']);
    expect(providers).toHaveLength(2);
    expect(providers[0]).toBe(providers[1]);
  });
});

describe('stack config', () => {
  it('GIVEN shoreguard:* config WHEN mapped THEN the client options carry url, key, TLS and transport settings', () => {
    const config: Record<string, string> = {
      'shoreguard:url': 'https://sg.example.com',
      'shoreguard:apiKey': 'sg_test',
      'shoreguard:caCert': 'PEM',
      'shoreguard:requestTimeoutSeconds': '12.5',
      'shoreguard:maxRetries': '0',
    };
    expect(clientOptionsFromConfig((key) => config[key])).toEqual({
      url: 'https://sg.example.com',
      token: 'sg_test',
      tls: { ca: 'PEM' },
      timeouts: { requestMs: 12_500 },
      retry: { maxAttempts: 1 },
      userAgent: 'pulumi-dynamic-provider',
    });
  });

  it('GIVEN no config WHEN mapped THEN nothing is set, leaving the SDK to read its environment variables', () => {
    expect(clientOptionsFromConfig(() => undefined)).toEqual({ userAgent: 'pulumi-dynamic-provider' });
  });

  it('GIVEN a non-numeric timeout WHEN mapped THEN the config key is named', () => {
    expect(() => clientOptionsFromConfig((key) => (key === 'shoreguard:connectTimeoutSeconds' ? 'soon' : undefined))).toThrow(
      /shoreguard:connectTimeoutSeconds.*"soon"/,
    );
  });
});
