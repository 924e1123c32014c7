// avoidWasmThreadClash: in a cross-origin isolated page with the tfjs wasm backend registered, it
// turns tfjs's wasm threads off before the backend starts (the threaded build hangs when bundled);
// anywhere else it leaves tfjs alone. Node is never isolated, so isolation is simulated here.
import { describe, it, expect, afterEach } from 'vitest';
import * as tf from '@tensorflow/tfjs';
import { avoidWasmThreadClash } from '../src/index.js';

const FLAG = 'WASM_HAS_MULTITHREAD_SUPPORT';
const scope = globalThis as { crossOriginIsolated?: boolean };

describe('avoidWasmThreadClash', () => {
  afterEach(() => {
    delete scope.crossOriginIsolated;
  });

  it('does nothing outside a cross-origin isolated page', () => {
    const result = avoidWasmThreadClash();
    expect(result).toMatchObject({ crossOriginIsolated: false, applied: false });
    expect(result.message).toMatch(/not cross-origin isolated/);
    expect(FLAG in tf.env().getFlags()).toBe(false);
  });

  it('does nothing while the wasm backend is not registered', () => {
    scope.crossOriginIsolated = true;
    const result = avoidWasmThreadClash();
    expect(result).toMatchObject({ crossOriginIsolated: true, wasmRegistered: false, applied: false });
    expect(FLAG in tf.env().getFlags()).toBe(false);
  });

  it('turns the wasm threads off once, before the backend starts, and then leaves the flag alone', async () => {
    await import('@tensorflow/tfjs-backend-wasm');
    scope.crossOriginIsolated = true;
    const first = avoidWasmThreadClash();
    expect(first).toMatchObject({ crossOriginIsolated: true, wasmRegistered: true, applied: true });
    expect(tf.env().getFlags()[FLAG]).toBe(false);
    const again = avoidWasmThreadClash();
    expect(again.applied).toBe(false);
    expect(again.message).toMatch(/already false/);
  });

  it('respects a value the app set itself', async () => {
    await import('@tensorflow/tfjs-backend-wasm');
    scope.crossOriginIsolated = true;
    tf.env().set(FLAG, true);
    expect(avoidWasmThreadClash().applied).toBe(false);
    expect(tf.env().getFlags()[FLAG]).toBe(true);
    tf.env().set(FLAG, false);
  });
});
