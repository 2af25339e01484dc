/** Parsing of the composite ids shared by several resources. */
import { splitId } from './calls';
import { invalidImportId } from './errors';
import { gatewayName, sandboxName } from './validate';

export const SANDBOX_ID_SHAPE = '<gateway>/<sandbox_name>, e.g. prod-gw/agent-1';

/** Parses `gateway/sandbox_name` (workflow and pin ids). */
export function parseSandboxId(resourceType: string, id: string): [string, string] {
  const parts = splitId(id, 2);
  if (!parts || !gatewayName.safeParse(parts[0]).success || !sandboxName.safeParse(parts[1]).success) throw invalidImportId(resourceType, id, [SANDBOX_ID_SHAPE]);
  return [parts[0] as string, parts[1] as string];
}
