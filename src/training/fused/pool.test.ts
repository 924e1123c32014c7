import { describe, expect, it } from 'vitest';
import { isRecsysError } from '../../errors.js';
import { webWorkerFailure } from './pool.js';

describe('webWorkerFailure', () => {
  it('names the missing worker file and what to do when the worker never started (no message)', () => {
    const url = 'http://localhost:5173/assets/fused-worker.js';
    const error = webWorkerFailure(new Event('error') as never, url);
    expect(isRecsysError(error, 'UNSUPPORTED_RUNTIME')).toBe(true);
    expect(error.message).toContain(`could not start from ${url}`);
    expect(error.message).toContain('dist/fused-worker.js');
    expect(error.message).toContain('threads: 1');
    expect(error.message).not.toContain('undefined');
  });

  it("passes on a running worker's own error message", () => {
    expect(webWorkerFailure({ message: 'e is not defined' }, 'x').message).toBe('fused-engine worker failed: e is not defined');
  });
});
