/** Plain-`fetch` helpers for driving the emulator in integration tests (deliberately not the SDK). */
import { startEmulator, type Emulator, type EmulatorOptions } from '../../../emulator';

export interface ApiResponse {
  status: number;
  headers: Headers;
  /** Parsed JSON, or the raw text when the body is not JSON, or undefined when empty. */
  // Tests index freely into response bodies; the assertions themselves check the shapes.
  body: any;
  text: string;
}

export interface RequestOptions {
  key?: string | null;
  headers?: Record<string, string>;
  /** Sent as-is (not JSON-encoded) when a string. */
  body?: unknown;
}

export class Api {
  constructor(
    readonly emulator: Emulator,
    private readonly defaultKey: string | null = emulator.adminKey,
  ) {}

  as(key: string | null): Api {
    return new Api(this.emulator, key);
  }

  async request(method: string, path: string, options: RequestOptions = {}): Promise<ApiResponse> {
    const headers: Record<string, string> = { ...(options.headers ?? {}) };
    const key = options.key === undefined ? this.defaultKey : options.key;
    if (key) headers['authorization'] = `Bearer ${key}`;
    let body: string | undefined;
    if (options.body !== undefined) {
      body = typeof options.body === 'string' ? options.body : JSON.stringify(options.body);
      headers['content-type'] ??= 'application/json';
    }
    const response = await fetch(`${this.emulator.url}${path}`, { method, headers, ...(body !== undefined ? { body } : {}) });
    const text = await response.text();
    let parsed: unknown;
    try {
      parsed = text ? JSON.parse(text) : undefined;
    } catch {
      parsed = text;
    }
    return { status: response.status, headers: response.headers, body: parsed, text };
  }

  get(path: string, options?: RequestOptions): Promise<ApiResponse> {
    return this.request('GET', path, options);
  }
  post(path: string, body?: unknown, options: RequestOptions = {}): Promise<ApiResponse> {
    return this.request('POST', path, { ...options, ...(body !== undefined ? { body } : {}) });
  }
  put(path: string, body?: unknown, options: RequestOptions = {}): Promise<ApiResponse> {
    return this.request('PUT', path, { ...options, ...(body !== undefined ? { body } : {}) });
  }
  patch(path: string, body?: unknown, options: RequestOptions = {}): Promise<ApiResponse> {
    return this.request('PATCH', path, { ...options, ...(body !== undefined ? { body } : {}) });
  }
  delete(path: string, options?: RequestOptions): Promise<ApiResponse> {
    return this.request('DELETE', path, options);
  }
}

/** Starts one emulator for a `describe` block and resets its state, faults and stats before every test. */
export function useEmulator(options: EmulatorOptions = {}): { api: () => Api; emulator: () => Emulator } {
  let emulator: Emulator | undefined;
  beforeAll(async () => {
    emulator = await startEmulator({ port: 0, ...options });
  });
  beforeEach(() => {
    emulator?.state.reset();
    emulator?.faults.clear();
    emulator?.resetStats();
  });
  afterAll(async () => {
    await emulator?.close();
  });
  const current = (): Emulator => {
    if (!emulator) throw new Error('emulator not started');
    return emulator;
  };
  return { api: () => new Api(current()), emulator: current };
}

/** A policy in the shape a gateway returns it (all defaults present). */
export const SAMPLE_POLICY = {
  version: 1,
  filesystem: { include_workdir: true, read_only: ['/usr', '/etc'], read_write: ['/tmp'] },
  landlock: { compatibility: 'best_effort' },
  process: { run_as_user: 'sandbox', run_as_group: 'sandbox' },
  network_policies: {
    github: {
      name: 'github',
      endpoints: [{ host: 'api.github.com', port: 443, protocol: 'rest' }],
      binaries: [{ path: '/usr/bin/git' }],
    },
  },
};

export function problemKeys(body: Record<string, unknown>): string[] {
  return Object.keys(body);
}
