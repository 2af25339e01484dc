import { ValidationError } from '../errors';
import { toWire } from '../models/common';
import {
  type Gateway,
  type GatewayDeleted,
  type ListGatewaysOptions,
  REGISTER_GATEWAY_WIRE,
  type RegisterGatewayInput,
  UPDATE_GATEWAY_WIRE,
  type UpdateGatewayInput,
  gatewayDeletedSchema,
  gatewayListSchema,
  gatewaySchema,
} from '../models/gateways';
import { type Transport, apiPath } from '../transport';

/** Gateway registry: `/api/gateway/...` (singular). Writes need the admin role. */
export class GatewaysApi {
  readonly #transport: Transport;

  constructor(transport: Transport) {
    this.#transport = transport;
  }

  /**
   * Registers a gateway (`POST /api/gateway/register`, admin). Answers 201 even when the gateway
   * is unreachable: check `connected`/`status` of the result. Not retried (a write).
   * @throws ShoreGuardError `conflict` when the name is taken, `validation` for bad fields.
   */
  async register(input: RegisterGatewayInput): Promise<Gateway> {
    return this.#transport.call(
      {
        method: 'POST',
        path: '/api/gateway/register',
        body: toWire(input, REGISTER_GATEWAY_WIRE),
        idempotent: false,
        gateway: input.name,
        secrets: input.clientKey ? [input.clientKey] : [],
      },
      gatewaySchema,
    );
  }

  /** Lists gateways ordered by name (`GET /api/gateway/list`); labels are AND-combined. */
  async list(options: ListGatewaysOptions = {}): Promise<readonly Gateway[]> {
    const labels = Object.entries(options.labels ?? {}).map(([key, value]) => `${key}:${value}`);
    const page = await this.#transport.call(
      { method: 'GET', path: '/api/gateway/list', query: { label: labels, runtime: options.runtime }, idempotent: true },
      gatewayListSchema,
    );
    return page.items;
  }

  /**
   * Reads one gateway with live details (`GET /api/gateway/{name}/info`). The server answers an
   * UNKNOWN name with a 500, not a 404 (contract trap 2): use {@link findByName} to test existence.
   */
  async info(name: string): Promise<Gateway> {
    return this.#transport.call({ method: 'GET', path: apiPath`/api/gateway/${name}/info`, idempotent: true, gateway: name }, gatewaySchema);
  }

  /** Finds a gateway by exact name via the list (no GET-by-name exists); `null` when absent. */
  async findByName(name: string): Promise<Gateway | null> {
    const gateways = await this.list();
    return gateways.find((gateway) => gateway.name === name) ?? null;
  }

  /**
   * Changes description and/or labels (`PATCH /api/gateway/{name}`, admin). Only keys present in
   * `patch` are sent; `null` clears. An empty patch is rejected locally (the server would 400).
   * @throws ShoreGuardError `not_found` for an unknown gateway.
   */
  async update(name: string, patch: UpdateGatewayInput): Promise<Gateway> {
    const body = toWire(patch, UPDATE_GATEWAY_WIRE);
    if (Object.keys(body).length === 0) {
      throw new ValidationError({
        code: 'validation',
        summary: `gateways.update('${name}') got no fields to update.`,
        hint: 'Pass description and/or labels.',
        gateway: name,
        issues: [{ type: 'missing', loc: ['patch'], msg: 'No fields to update' }],
      });
    }
    return this.#transport.call({ method: 'PATCH', path: apiPath`/api/gateway/${name}`, body, idempotent: true, gateway: name }, gatewaySchema);
  }

  /**
   * Unregisters a gateway (`DELETE /api/gateway/{name}`, admin). Pins, workflows and hooks keyed
   * by this name survive. Retried like any idempotent call, so a retry after a lost response can
   * end in `not_found`: treat that as already deleted.
   */
  async delete(name: string): Promise<GatewayDeleted> {
    return this.#transport.call({ method: 'DELETE', path: apiPath`/api/gateway/${name}`, idempotent: true, gateway: name }, gatewayDeletedSchema);
  }
}

