// Field schemas shared by the contract's request schemas (common/contract.ts and its per-area parts).
import { z } from 'zod';
import { GRADING_FIELDS, type GradingField } from './gradings.js';
import { isKnownLabel } from './labels.js';

/** A lone UTF-16 surrogate: text that cannot be stored or written as UTF-8 without being changed. */
const LONE_SURROGATE = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/;
/** True when `s` is well-formed UTF-16 (String.prototype.isWellFormed, which Node 20's TS lib lacks). */
export function isWellFormedText(s: string): boolean {
  return !LONE_SURROGATE.test(s);
}

/** Annotator names: printable, no control characters, well-formed Unicode. */
export const annotatorName = z
  .string()
  .trim()
  .min(1, 'annotator name is empty')
  .max(80)
  .regex(/^[^\p{Cc}]+$/u, 'annotator name holds control characters')
  // Bidirectional overrides and isolates make a name display as another ("Reader A" spelled backwards …).
  .regex(/^[^\u202A-\u202E\u2066-\u2069]+$/u, 'annotator name holds bidirectional text controls')
  .refine(isWellFormedText, 'annotator name holds a lone UTF-16 surrogate');

/** Free text stored with an edit (tool id, description): well-formed Unicode, no control characters. */
export const storedText = (what: string, max: number) =>
  z
    .string()
    .min(1, `${what} is empty`)
    .max(max)
    .regex(/^[^\p{Cc}]+$/u, `${what} holds control characters`)
    .refine(isWellFormedText, `${what} holds a lone UTF-16 surrogate`);

/** A value the SPIDER label convention defines (0, 1–25, 100, 101–125, 201–225). */
export const spiderLabel = z
  .number()
  .int()
  .refine(isKnownLabel, 'not a SPIDER label value (0, 1–25, 100, 101–125, 201–225)');

export const GRADING_FIELD_IDS = GRADING_FIELDS.map((f) => f.field) as [GradingField, ...GradingField[]];
export const patientId = z.number().int().min(0);
export const ivdLabel = z.number().int().min(0).max(25);

export const seriesId = z.string().regex(/^\d+_[A-Za-z0-9_]+$/, 'series id like 7_t2');
/** Largest encoded diff commitEdit takes: 96 MiB (a whole 1024×1024×40 volume changed fits). */
export const MAX_DIFF_BYTES = 96 * 1024 * 1024;
/** True for a Uint8Array (or Buffer) of any realm: IPC and tests may hand over arrays made elsewhere. */
export function isUint8Array(v: unknown): v is Uint8Array {
  return ArrayBuffer.isView(v) && Object.prototype.toString.call(v) === '[object Uint8Array]';
}
/** An 'rle-u8-v1' diff as bytes (web mode: the framed body of common/wire.ts; IPC: structured clone). */
export const diffBytes = z
  .custom<Uint8Array>(isUint8Array, 'diff must be bytes (a Uint8Array)')
  .refine((b) => b.byteLength <= MAX_DIFF_BYTES, `diff over ${MAX_DIFF_BYTES} bytes`);

