/**
 * The contract every resource module in provider/resources implements. It is written once and
 * called by both front-ends: the Pulumi dynamic provider (provider/pulumi) and the Terraform
 * provider (provider/terraform). Attribute names are schema.json's (snake_case, ShoreGuard's wire
 * names); the Pulumi front-end maps them to camelCase mechanically.
 */
import type { ShoreGuardClient } from '../../sdk';

/** Attribute values a resource deals in: what schema.json's cty types map to. */
export type AttributeValue = string | number | boolean | readonly string[] | Readonly<Record<string, string>> | null;

/** A resource's attributes by schema name. Absent and `null` both mean "not set". */
export type Attributes = Record<string, AttributeValue | undefined>;

/** One validation failure, tied to the attribute it concerns (schema name). */
export interface AttributeProblem {
  readonly attribute: string;
  readonly message: string;
}

export type CheckResult<I> = { readonly ok: true; readonly inputs: I } | { readonly ok: false; readonly problems: readonly AttributeProblem[] };

/** What a front-end hands a resource operation. */
export interface ResourceContext {
  readonly client: ShoreGuardClient;
  /** Clock for expiry decisions (pins); injectable for tests. */
  readonly now?: () => Date;
}

export interface CreateOptions {
  /**
   * Take over an object that already exists under the same natural key (Pulumi's dynamic providers
   * cannot `pulumi import`). Without it, creating over an existing object fails and names it.
   */
  readonly adopt?: boolean;
}

/** The result of comparing prior state with new inputs. */
export interface ResourceDiff {
  /** Input attributes whose value differs (after normalisation). */
  readonly changed: readonly string[];
  /** The subset of `changed` that forces a replacement. */
  readonly replaces: readonly string[];
  /** Replacement must delete first because the natural key stays the same. */
  readonly deleteBeforeReplace: boolean;
}

/**
 * One ShoreGuard object type. `I` is the validated input attributes, `S` the full state (inputs +
 * computed attributes + `id`).
 */
export interface ResourceHandler<I extends Attributes = Attributes, S extends Attributes & { id: string } = Attributes & { id: string }> {
  /** schema.json resource type, e.g. `shoreguard_gateway`. */
  readonly type: string;
  /** Input attributes whose change forces replacement (identity fields). */
  readonly replaceOn: readonly string[];
  /** Whether a replacement must delete the old object first (same natural key). */
  readonly deleteBeforeReplace: boolean;
  /**
   * Validates raw inputs and fills defaults the way the server would, so that comparing with state
   * read back from the server shows no spurious difference. `prior` is the current state (or the
   * prior inputs) when the object already exists: some rules, e.g. a pin's future expiry, only
   * apply to new or changed values.
   */
  check(raw: Attributes, prior?: Attributes): CheckResult<I>;
  /** Compares prior state with validated inputs. */
  diff(prior: S, inputs: I): ResourceDiff;
  create(ctx: ResourceContext, inputs: I, options?: CreateOptions): Promise<S>;
  /** Reads the live object; `null` when it no longer exists (so refresh/plan shows the drift). */
  read(ctx: ResourceContext, id: string, prior?: S): Promise<S | null>;
  update(ctx: ResourceContext, id: string, prior: S, inputs: I): Promise<S>;
  delete(ctx: ResourceContext, id: string, prior: S): Promise<void>;
  /**
   * Reads an existing object for `terraform import` / adoption from a documented import id
   * (e.g. `gateway/sandbox` for pins and workflows). Throws a clear error for a malformed id.
   */
  importState(ctx: ResourceContext, importId: string): Promise<S | null>;
}

/** A read-only lookup (data source / Pulumi `get*` function). */
export interface LookupHandler<Q extends Attributes = Attributes, R extends Attributes = Attributes> {
  /** schema.json data source type, e.g. `shoreguard_user`. */
  readonly type: string;
  check(raw: Attributes): CheckResult<Q>;
  lookup(ctx: ResourceContext, query: Q): Promise<R>;
}
