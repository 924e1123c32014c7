// The bytes of a WebAssembly module shipped as base64 in a generated .ts file (see
// scripts/build-wasm.mjs): decoded with Buffer in Node, atob elsewhere. Shared by the fused
// engine's tower and the fast scorer's kernel. Free of TensorFlow.js: worker threads import it.

/**
 * Decodes standard base64 into bytes (the module text is generated, so it is always well formed).
 *
 * @param text - base64 of a WebAssembly module
 * @returns its bytes
 */
export function decodeBase64(text: string): Uint8Array<ArrayBuffer> {
  const g = globalThis as { Buffer?: { from(s: string, enc: string): Uint8Array }; atob?: (s: string) => string };
  if (g.Buffer !== undefined) return Uint8Array.from(g.Buffer.from(text, 'base64'));
  const binary = (g.atob as (s: string) => string)(text);
  const out = new Uint8Array(binary.length);
  for (let k = 0; k < binary.length; k++) out[k] = binary.charCodeAt(k);
  return out;
}
