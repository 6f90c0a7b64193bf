import { FAILURE_KINDS } from './error-category.js';
import type { FailureKind } from './error-category.js';

/** One distinct failure message and how often it was seen. */
export interface FailureSample {
  readonly kind: FailureKind;
  readonly message: string;
  readonly count: number;
}

/** A FailureSample of one metric slot, as plain data (it crosses threads and goes into results files). */
export interface SlotFailureSample extends FailureSample {
  readonly slot: number;
}

/** Distinct messages kept per slot and kind; later distinct ones are not kept (their kind's count stays exact). */
export const MAX_MESSAGES_PER_KIND = 5;
/** Longer messages are cut here (an error message that embeds a whole response must not fill a report). */
export const MAX_MESSAGE_CHARS = 200;

// eslint-disable-next-line no-control-regex
const CONTROL_CHARACTERS = /[\u0000-\u001f\u007f-\u009f\u2028\u2029]/g;

interface Entry {
  readonly kind: number;
  readonly message: string;
  count: number;
}

/**
 * Example messages of failures (an error's message, a failed check's reason), bounded: per metric slot and
 * kind, the first MAX_MESSAGES_PER_KIND distinct messages and how often each was seen. Memory is flat
 * whatever the run's length or the target's creativity. A cold path: it runs once per failed request.
 */
export class FailureSamples {
  readonly #slots: Map<string, Entry>[];
  readonly #distinct: Int32Array[];

  constructor(slots: number) {
    this.#slots = Array.from({ length: slots }, () => new Map<string, Entry>());
    this.#distinct = Array.from({ length: slots }, () => new Int32Array(FAILURE_KINDS.length));
  }

  /** `kind`: an index in FAILURE_KINDS. */
  note(slot: number, kind: number, message: string, count = 1): void {
    const entries = this.#slots[slot];
    const distinct = this.#distinct[slot];
    if (entries === undefined || distinct === undefined || !(kind >= 0 && kind < FAILURE_KINDS.length)) return;
    // One line of text, whatever the target sent: control characters (newlines, escapes) become spaces.
    const line = message.replace(CONTROL_CHARACTERS, ' ');
    const text = line.length > MAX_MESSAGE_CHARS ? `${line.slice(0, MAX_MESSAGE_CHARS - 1)}…` : line;
    const key = `${kind}\u0000${text}`;
    const entry = entries.get(key);
    if (entry !== undefined) {
      entry.count += count;
      return;
    }
    if (distinct[kind]! >= MAX_MESSAGES_PER_KIND) return;
    distinct[kind]! += 1;
    entries.set(key, { kind, message: text, count });
  }

  merge(other: FailureSamples): void {
    other.#slots.forEach((entries, slot) => {
      for (const entry of entries.values()) this.note(slot, entry.kind, entry.message, entry.count);
    });
  }

  /** Every sample kept, in the order first seen. */
  list(): SlotFailureSample[] {
    return this.#slots.flatMap((entries, slot) =>
      [...entries.values()].map((entry) => ({ slot, kind: FAILURE_KINDS[entry.kind]!, message: entry.message, count: entry.count })),
    );
  }

  /** Restores samples from `list()`; unknown kinds and slots are skipped. */
  add(samples: readonly SlotFailureSample[]): void {
    for (const sample of samples) this.note(sample.slot, FAILURE_KINDS.indexOf(sample.kind), sample.message, sample.count);
  }

  /** The samples of some slots together (same kind and message added up), most frequent first. */
  of(slots: readonly number[]): FailureSample[] {
    const merged = new Map<string, { kind: FailureKind; message: string; count: number }>();
    for (const slot of slots) {
      for (const [key, entry] of this.#slots[slot] ?? []) {
        const found = merged.get(key);
        if (found === undefined) merged.set(key, { kind: FAILURE_KINDS[entry.kind]!, message: entry.message, count: entry.count });
        else found.count += entry.count;
      }
    }
    return [...merged.values()].sort((a, b) => b.count - a.count);
  }
}
