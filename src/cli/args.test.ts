import { describe, it, expect } from 'vitest';
import fc from 'fast-check';
import { choiceOption, expectPositionals, intListOption, intOption, positiveNumberOption, threadsOption, UsageError } from './args.js';
import { RecsysError } from '../errors.js';

function expectRecsysError(call: () => unknown, code: string, message: RegExp | string): void {
  let error: unknown;
  try {
    call();
  } catch (e) {
    error = e;
  }
  expect(error).toBeInstanceOf(RecsysError);
  expect((error as RecsysError).code).toBe(code);
  if (typeof message === 'string') expect((error as RecsysError).message).toBe(message);
  else expect((error as RecsysError).message).toMatch(message);
}

describe('command-line option checks', () => {
  it('reads back every integer at or above the minimum, and nothing below it', () => {
    fc.assert(
      fc.property(fc.integer({ min: -1000, max: 1_000_000 }), fc.integer({ min: 0, max: 5 }), (n, min) => {
        if (n >= min) expect(intOption('--n', String(n), min)).toBe(n);
        else expect(() => intOption('--n', String(n), min)).toThrow(`--n must be an integer >= ${min}, got "${n}"`);
      }),
    );
  });

  it('rejects what is not an integer instead of rounding or truncating it', () => {
    for (const text of ['2.5', '1e3', '', ' ', 'ten', '0x10', '3abc', 'Infinity', 'NaN']) {
      expectRecsysError(() => intOption('--epochs', text), 'INVALID_ARGUMENT', /--epochs must be an integer >= 1/);
    }
    expect(intOption('--epochs', undefined)).toBeUndefined();
  });

  it('takes positive numbers in decimal and exponent form for rates', () => {
    expect(positiveNumberOption('--learning-rate', '0.001')).toBe(0.001);
    expect(positiveNumberOption('--learning-rate', '1e-3')).toBe(0.001);
    expect(positiveNumberOption('--learning-rate', '.5')).toBe(0.5);
    for (const text of ['0', '-0.1', 'fast', '1e-3x', '']) {
      expectRecsysError(() => positiveNumberOption('--learning-rate', text), 'INVALID_ARGUMENT', /--learning-rate must be a number > 0/);
    }
  });

  it('splits layer lists on commas and refuses empty or non-positive sizes', () => {
    expect(intListOption('--layers', '64,32,16,8')).toEqual([64, 32, 16, 8]);
    expect(intListOption('--layers', ' 16 , 8 ')).toEqual([16, 8]);
    for (const text of ['64,,8', '64,0', '', 'a,b', '64;32']) {
      expectRecsysError(() => intListOption('--layers', text), 'INVALID_ARGUMENT', /comma-separated list of positive integers/);
    }
  });

  it('names the allowed words of a choice', () => {
    expect(choiceOption('--model', 'gmf', ['neumf', 'gmf', 'mlp'])).toBe('gmf');
    expectRecsysError(() => choiceOption('--model', 'NeuMF', ['neumf', 'gmf', 'mlp']), 'INVALID_ARGUMENT', '--model must be one of neumf, gmf, mlp, got "NeuMF"');
    expect(threadsOption('auto')).toBe('auto');
    expect(threadsOption('2')).toBe(2);
  });

  it('says which positional arguments are missing or extra', () => {
    expect(() => expectPositionals('train', [], ['<csv>'])).toThrow(new UsageError('train needs <csv>'));
    expect(() => expectPositionals('train', ['a.csv', 'b.csv'], ['<csv>'])).toThrow('train takes <csv>, got an extra argument "b.csv"');
    expect(() => expectPositionals('recommend', ['./bundle'], ['<bundle>', '<user...>'])).toThrow('recommend needs <user...>');
    expect(() => expectPositionals('recommend', ['./bundle', 'a', 'b', 'c'], ['<bundle>', '<user...>'])).not.toThrow();
  });
});
