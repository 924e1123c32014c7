// The fused CPU training engine (internal to training/: train() picks it). See engine.ts.
export { fusedSupport } from './support.js';
export type { FusedSupport } from './support.js';
export { createFusedEngine } from './engine.js';
export type { FusedEngine } from './engine.js';
export type { KernelKind } from './tower-wasm.js';
