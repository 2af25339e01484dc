import { z } from 'zod';
import { okSchema } from '../models/common';
import { type CreateUserInput, type CreatedUser, type User, createdUserSchema, userSchema } from '../models/rbac';
import { type Transport, apiPath } from '../transport';

/** Users: `/api/auth/users` (admin). */
export class UsersApi {
  readonly #transport: Transport;

  constructor(transport: Transport) {
    this.#transport = transport;
  }

  /** Lists all users. */
  async list(): Promise<readonly User[]> {
    return this.#transport.call({ method: 'GET', path: '/api/auth/users', idempotent: true }, z.array(userSchema));
  }

  /** Finds a user by email, case-insensitively (the server stores emails lower-cased); `null` when absent. */
  async findByEmail(email: string): Promise<User | null> {
    const wanted = email.trim().toLowerCase();
    const users = await this.list();
    return users.find((user) => user.email.toLowerCase() === wanted) ?? null;
  }

  /**
   * Invites a user (`POST /api/auth/users`, 201). The invite token is returned only here.
   * @throws ShoreGuardError `conflict` for an existing email, `validation` for a bad email/role.
   */
  async create(input: CreateUserInput): Promise<CreatedUser> {
    const body = { email: input.email, ...(input.role === undefined ? {} : { role: input.role }) };
    return this.#transport.call({ method: 'POST', path: '/api/auth/users', body, idempotent: false }, createdUserSchema);
  }

  /**
   * Deletes a user (`DELETE /api/auth/users/{id}`).
   * @throws ShoreGuardError `not_found`; `validation` for self-deletion or the last admin.
   */
  async delete(id: number): Promise<void> {
    await this.#transport.call({ method: 'DELETE', path: apiPath`/api/auth/users/${id}`, idempotent: true }, okSchema);
  }
}
