import { InvalidResponseError } from '../errors';
import { type ListSandboxesOptions, type Sandbox, type SandboxPage, sandboxPageSchema, sandboxSchema } from '../models/sandboxes';
import { type Transport, apiPath } from '../transport';

/** The largest page the server allows. */
const MAX_PAGE_SIZE = 1000;

/** Sandboxes of a gateway (read-only here): `/api/gateways/{gw}/sandboxes`. Needs a connected gateway. */
export class SandboxesApi {
  readonly #transport: Transport;

  constructor(transport: Transport) {
    this.#transport = transport;
  }

  /** One page (`limit` 1..1000, default 100; `offset` ≥ 0). `total` is `null` on this route. */
  async list(gateway: string, options: ListSandboxesOptions = {}): Promise<SandboxPage> {
    const labels = Object.entries(options.labels ?? {}).map(([key, value]) => `${key}:${value}`);
    return this.#transport.call(
      {
        method: 'GET',
        path: apiPath`/api/gateways/${gateway}/sandboxes`,
        query: { limit: options.limit, offset: options.offset, label: labels },
        idempotent: true,
        gateway,
      },
      sandboxPageSchema,
    );
  }

  /**
   * Every sandbox, paging until a short page (the server gives no total).
   * @param options.pageSize 1..1000. @default 1000
   * @throws InvalidResponseError if the server ignores `offset` and repeats a page.
   */
  async listAll(gateway: string, options: { readonly pageSize?: number; readonly labels?: Readonly<Record<string, string>> } = {}): Promise<readonly Sandbox[]> {
    const pageSize = options.pageSize ?? MAX_PAGE_SIZE;
    const all: Sandbox[] = [];
    let previousFirst: string | undefined;
    for (let offset = 0; ; offset += pageSize) {
      const page = await this.list(gateway, { limit: pageSize, offset, ...(options.labels ? { labels: options.labels } : {}) });
      const first = page.items[0]?.name;
      if (offset > 0 && first !== undefined && first === previousFirst) {
        throw new InvalidResponseError({
          code: 'invalid_response',
          summary: `GET /api/gateways/${gateway}/sandboxes returned the same page for offset ${offset - pageSize} and ${offset}.`,
          hint: 'The server ignores the offset parameter; list with sandboxes.list instead.',
          gateway,
          issues: [{ path: ['offset'], message: 'page repeated' }],
        });
      }
      previousFirst = first;
      all.push(...page.items);
      if (page.items.length < pageSize) return all;
    }
  }

  /** Reads one sandbox. @throws ShoreGuardError `not_found`. */
  async get(gateway: string, name: string): Promise<Sandbox> {
    return this.#transport.call(
      { method: 'GET', path: apiPath`/api/gateways/${gateway}/sandboxes/${name}`, idempotent: true, gateway, sandbox: name },
      sandboxSchema,
    );
  }
}
