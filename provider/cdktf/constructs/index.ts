/** Hand-written constructs that encode good practice on top of the generated bindings. */
export { ChangeFreeze, type ChangeFreezeProps } from './change-freeze';
export { GovernedSandbox, type BootHookPhase, type BootHookSpec, type GovernedSandboxProps, type SandboxFreezeProps } from './governed-sandbox';
export { ConstructPropsError, QUORUM_DEFAULTS, type QuorumProps, type Role, type ShoreGuardConstructOptions } from './common';
