// Append-only typed arrays that double their capacity: readers stream rows into these instead of
// building arrays of row objects, so memory stays at a few bytes per interaction.

type TypedArray = Int32Array | Float32Array | Float64Array;
type TypedArrayConstructor<T extends TypedArray> = { new (length: number): T };

/** A growable typed array; `finish()` returns an exact-length copy. */
export class Growable<T extends TypedArray> {
  private buffer: T;
  /** Number of values appended so far. */
  length = 0;

  constructor(
    private readonly Ctor: TypedArrayConstructor<T>,
    initialCapacity = 1024,
  ) {
    this.buffer = new Ctor(Math.max(16, initialCapacity));
  }

  push(value: number): void {
    if (this.length === this.buffer.length) this.grow(this.length + 1);
    this.buffer[this.length++] = value;
  }

  get(index: number): number {
    return this.buffer[index];
  }

  set(index: number, value: number): void {
    this.buffer[index] = value;
  }

  /** The live backing store (valid up to `length`); invalidated by the next push. */
  view(): T {
    return this.buffer.subarray(0, this.length) as T;
  }

  /** An exact-length copy of the values. */
  finish(): T {
    return this.buffer.slice(0, this.length) as T;
  }

  private grow(min: number): void {
    const next = new this.Ctor(Math.max(min, this.buffer.length * 2));
    next.set(this.buffer);
    this.buffer = next;
  }
}

export const growableInt32 = (capacity?: number) => new Growable(Int32Array, capacity);
export const growableFloat32 = (capacity?: number) => new Growable(Float32Array, capacity);
export const growableFloat64 = (capacity?: number) => new Growable(Float64Array, capacity);
