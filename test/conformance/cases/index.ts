// Every conformance case, in the order the suite runs them.
import type { ConformanceCase } from '../../support/conformance/runner';
import { approvalCases } from './approvals';
import { authCases } from './auth';
import { gatewayCases } from './gateways';
import { applyCases, exportCases, sandboxCases } from './gitops';
import { rbacCases } from './rbac';
import { hookCases, pinCases, workflowCases } from './workflows-pins-hooks';

export const ALL_CASES: readonly ConformanceCase[] = [
  ...authCases,
  ...gatewayCases,
  ...rbacCases,
  ...workflowCases,
  ...pinCases,
  ...hookCases,
  ...sandboxCases,
  ...exportCases,
  ...applyCases,
  ...approvalCases,
];
