// How a request with a binary field crosses HTTP (web mode): instead of base64 inside JSON, one
// `application/octet-stream` body framed as
//
//   u32 little-endian   n           byte length of the JSON part (at most MAX_FRAME_JSON_BYTES)
//   n bytes             JSON        UTF-8 JSON object: every field of the request except the binary one
//   the rest            bytes       the binary field (commitEdit: the encoded 'rle-u8-v1' diff)
//
// The frame only carries the request; what it must hold is checked afterwards by the method's schema, as for a
// JSON body. Electron IPC needs no framing: a Uint8Array crosses by structured clone. Pure and free of zod, so the
// renderer bundle can encode without the schemas.
import type { Method } from './contract.js';

/** Content-Type of a framed request body. */
export const FRAMED_CONTENT_TYPE = 'application/octet-stream';
/** Largest JSON part of a framed request: the fields besides the bytes are a few short strings and numbers. */
export const MAX_FRAME_JSON_BYTES = 1024 * 1024;
const PREFIX_BYTES = 4;

/** Methods whose request has one binary (Uint8Array) field, and its name. */
export const BINARY_FIELDS: { readonly [M in Method]?: string } = { commitEdit: 'diff' };

/** The binary field of `method`'s request, or null when it takes plain JSON. */
export function binaryFieldOf(method: Method): string | null {
  return BINARY_FIELDS[method] ?? null;
}

/** A framed body that is not well-formed (web mode answers 400 invalid_request). */
export class FrameError extends Error {
  override name = 'FrameError';
}

/** The framed body of `req`, whose `field` holds the bytes; the other fields go into the JSON part. */
export function encodeFramedRequest(req: Readonly<Record<string, unknown>>, field: string): Uint8Array<ArrayBuffer> {
  const bytes = req[field];
  if (!(bytes instanceof Uint8Array)) throw new TypeError(`${field} must be a Uint8Array`);
  const rest: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(req)) if (k !== field) rest[k] = v;
  const json = new TextEncoder().encode(JSON.stringify(rest));
  const out = new Uint8Array(PREFIX_BYTES + json.length + bytes.length);
  new DataView(out.buffer).setUint32(0, json.length, true);
  out.set(json, PREFIX_BYTES);
  out.set(bytes, PREFIX_BYTES + json.length);
  return out;
}

/**
 * The request a framed body carries: its JSON object with `field` set to the trailing bytes (a view into `body`).
 * @throws FrameError when the body is shorter than its prefix says, the JSON part is over MAX_FRAME_JSON_BYTES,
 *   not UTF-8, not a JSON object, or already names `field`.
 */
export function decodeFramedRequest(body: Uint8Array, field: string): Record<string, unknown> {
  if (body.length < PREFIX_BYTES) throw new FrameError(`Framed request of ${body.length} bytes: shorter than its 4-byte length prefix`);
  const n = new DataView(body.buffer, body.byteOffset, body.byteLength).getUint32(0, true);
  if (n > MAX_FRAME_JSON_BYTES) throw new FrameError(`Framed request: JSON part of ${n} bytes is over ${MAX_FRAME_JSON_BYTES}`);
  if (n > body.length - PREFIX_BYTES) throw new FrameError(`Framed request: JSON part of ${n} bytes but only ${body.length - PREFIX_BYTES} bytes follow the prefix`);
  let value: unknown;
  try {
    value = JSON.parse(new TextDecoder('utf-8', { fatal: true }).decode(body.subarray(PREFIX_BYTES, PREFIX_BYTES + n)));
  } catch {
    throw new FrameError('Framed request: the JSON part is not UTF-8 JSON');
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value)) throw new FrameError('Framed request: the JSON part is not an object');
  const fields = value as Record<string, unknown>;
  if (Object.prototype.hasOwnProperty.call(fields, field)) throw new FrameError(`Framed request: ${field} belongs after the JSON part, not in it`);
  fields[field] = body.subarray(PREFIX_BYTES + n);
  return fields;
}
