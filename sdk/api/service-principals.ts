import { z } from 'zod';
import { okSchema } from '../models/common';
import {
  type CreateServicePrincipalInput,
  type CreatedServicePrincipal,
  type ServicePrincipal,
  createdServicePrincipalSchema,
  servicePrincipalSchema,
} from '../models/rbac';
import { type Transport, apiPath } from '../transport';
import { normaliseTimestamp } from './input';

/** Service principals (API key owners): `/api/auth/service-principals` (admin). */
export class ServicePrincipalsApi {
  readonly #transport: Transport;

  constructor(transport: Transport) {
    this.#transport = transport;
  }

  /** Lists service principals (ordered by creation). Keys are never listed, only `keyPrefix`. */
  async list(): Promise<readonly ServicePrincipal[]> {
    return this.#transport.call({ method: 'GET', path: '/api/auth/service-principals', idempotent: true }, z.array(servicePrincipalSchema));
  }

  /**
   * Creates a service principal and its API key (201). The `key` in the result is shown only once
   * and is a secret. Not retried (a retry could mint a second key or hit the duplicate name).
   * @throws ShoreGuardError `conflict` for a taken name, `validation` for a bad role.
   */
  async create(input: CreateServicePrincipalInput): Promise<CreatedServicePrincipal> {
    const expiresAt = normaliseTimestamp(input.expiresAt, 'expiresAt');
    const body = {
      name: input.name,
      ...(input.role === undefined ? {} : { role: input.role }),
      ...(expiresAt === undefined ? {} : { expires_at: expiresAt }),
    };
    return this.#transport.call({ method: 'POST', path: '/api/auth/service-principals', body, idempotent: false }, createdServicePrincipalSchema);
  }

  /** Deletes a service principal; its key stops working. @throws ShoreGuardError `not_found`. */
  async delete(id: number): Promise<void> {
    await this.#transport.call({ method: 'DELETE', path: apiPath`/api/auth/service-principals/${id}`, idempotent: true }, okSchema);
  }
}
