/**
 * shoreguard-iac SDK: a typed REST client for ShoreGuard. Start with {@link createClient}.
 * @packageDocumentation
 */
export { ShoreGuardClient, createClient } from './client';
export { PACKAGE_VERSION } from './version';

export { DEFAULT_URL, isLoopbackHost, resolveConfig } from './config';
export type { ResolvedConfig, ShoreGuardClientOptions, ShoreGuardLogger, TimeoutOptions, TlsOptions } from './config';

export { DEFAULT_RETRY_POLICY, SYSTEM_CLOCK, backoffDelayMs, decideRetry, parseRetryAfter } from './retry';
export type { AttemptFailure, RetryClock, RetryDecision, RetryPolicy, RetryQuestion } from './retry';

export {
  ConfigError,
  InvalidResponseError,
  PinnedError,
  RateLimitedError,
  ShoreGuardError,
  TransportError,
  ValidationError,
  VersionConflictError,
  isShoreGuardError,
  isUnknownRoute,
  parseMergeUnsupported,
  parsePinDetail,
} from './errors';
export type { ErrorContext, MergeUnsupportedInfo, PinDetail, ShoreGuardErrorCode, ValidationIssue } from './errors';

export { REDACTED, SecretValue } from './secret';

export { Transport, apiPath } from './transport';
export type { ApiResponse, HttpMethod, QueryParams, RequestSpec } from './transport';

export { isShoreGuardTime, parseShoreGuardTime } from './models/common';
export type { ShoreGuardTime } from './models/common';
export type { Gateway, GatewayDeleted, ListGatewaysOptions, RegisterGatewayInput, UpdateGatewayInput } from './models/gateways';
export type {
  CreateGroupInput,
  CreateServicePrincipalInput,
  CreateUserInput,
  CreatedServicePrincipal,
  CreatedUser,
  GatewayRole,
  Group,
  GroupMember,
  GroupMembership,
  GroupWithMembers,
  Role,
  ServicePrincipal,
  UpdateGroupInput,
  User,
} from './models/rbac';
export type { ApprovalDecision, ApprovalDecisions, ApprovalWorkflow, PutApprovalWorkflowInput } from './models/workflows';
export type { PinPolicyInput, PolicyPin } from './models/pins';
export type { BootHook, BootHookPhase, BootHookRunResult, CreateBootHookInput, UpdateBootHookInput } from './models/hooks';
export type { ListSandboxesOptions, Sandbox, SandboxPage } from './models/sandboxes';
export type { HealthStatus, ServerVersion } from './models/health';
export { hasDrift, voteChunkId } from './models/policies';
export type {
  ApplyPolicyInput,
  PolicyApplyCompleted,
  PolicyApplyConflict,
  PolicyApplyOutcome,
  PolicyApplyPinned,
  PolicyApplyVoteRecorded,
  PolicyDiff,
  PolicyExport,
} from './models/policies';
export { liveRuleMap, liveRules, mergeTarget, ruleCoveredBy } from './models/rule-coverage';
export type { MergeTarget } from './models/rule-coverage';
export { ruleLayer, toPolicyRule } from './models/approvals';
export type {
  ApprovalAlreadyVoted,
  ApprovalNotPending,
  ApprovalPinned,
  ApprovalVoteRecorded,
  ApproveAllNothingPending,
  ApproveAllOutcome,
  ApproveAllRefused,
  ApproveChunkOutcome,
  AuditEntry,
  AuditPage,
  ChunkApproved,
  ChunkEdited,
  ChunkProvenance,
  ChunkRejected,
  ChunksApprovedAll,
  ChunkUndone,
  DraftChunk,
  DraftChunkStatus,
  DraftEndpoint,
  DraftHistoryEntry,
  DraftL7Rule,
  DraftNarrowness,
  DraftPolicy,
  DraftRule,
  EditChunkOutcome,
  EditChunkRule,
  PolicyRevisionRef,
  PolicyRuleDocument,
  RejectChunkOutcome,
  UndoChunkOutcome,
  VoteTally,
} from './models/approvals';

export type { ApprovalsApi, ApproveAllOptions, ApproveOptions, AuditQuery, ClosedChunk, CoveredChunk } from './api/approvals';
export type { BootHooksApi } from './api/boot-hooks';
export type { GatewaysApi } from './api/gateways';
export type { GroupsApi } from './api/groups';
export type { PinsApi } from './api/pins';
export type { PoliciesApi } from './api/policies';
export type { SandboxesApi } from './api/sandboxes';
export type { ServicePrincipalsApi } from './api/service-principals';
export type { UsersApi } from './api/users';
export type { WorkflowsApi } from './api/workflows';
