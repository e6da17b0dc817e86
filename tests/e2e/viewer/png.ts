// Minimal PNG decoder for test screenshots (8-bit RGB/RGBA, non-interlaced: what Chromium's screenshots are),
// plus pixel queries used by the viewer e2e tests. node:zlib only.
import { inflateSync } from 'node:zlib';

export interface Pixels {
  width: number;
  height: number;
  /** RGBA, row-major, top row first. */
  data: Uint8Array;
}

export type Rgb = readonly [number, number, number];

export interface Rect {
  x: number;
  y: number;
  width: number;
  height: number;
}

const SIGNATURE = [137, 80, 78, 71, 13, 10, 26, 10];

export function decodePng(png: Buffer): Pixels {
  if (!SIGNATURE.every((b, i) => png[i] === b)) throw new Error('not a PNG');
  let offset = 8;
  let width = 0;
  let height = 0;
  let colorType = -1;
  const idat: Buffer[] = [];
  while (offset < png.length) {
    const length = png.readUInt32BE(offset);
    const type = png.toString('latin1', offset + 4, offset + 8);
    const body = png.subarray(offset + 8, offset + 8 + length);
    if (type === 'IHDR') {
      width = body.readUInt32BE(0);
      height = body.readUInt32BE(4);
      const bitDepth = body[8];
      colorType = body[9]!;
      const interlace = body[12];
      if (bitDepth !== 8 || (colorType !== 2 && colorType !== 6) || interlace !== 0) {
        throw new Error(`unsupported PNG: bit depth ${bitDepth}, colour type ${colorType}, interlace ${interlace}`);
      }
    } else if (type === 'IDAT') {
      idat.push(body);
    } else if (type === 'IEND') {
      break;
    }
    offset += 12 + length;
  }
  const channels = colorType === 6 ? 4 : 3;
  const stride = width * channels;
  const raw = inflateSync(Buffer.concat(idat));
  const out = new Uint8Array(width * height * 4);
  const prev = new Uint8Array(stride);
  const cur = new Uint8Array(stride);
  for (let y = 0; y < height; y++) {
    const filter = raw[y * (stride + 1)]!;
    const line = raw.subarray(y * (stride + 1) + 1, (y + 1) * (stride + 1));
    for (let i = 0; i < stride; i++) {
      const a = i >= channels ? cur[i - channels]! : 0;
      const b = prev[i]!;
      const c = i >= channels ? prev[i - channels]! : 0;
      let v = line[i]!;
      switch (filter) {
        case 0:
          break;
        case 1:
          v += a;
          break;
        case 2:
          v += b;
          break;
        case 3:
          v += (a + b) >> 1;
          break;
        case 4: {
          const p = a + b - c;
          const pa = Math.abs(p - a);
          const pb = Math.abs(p - b);
          const pc = Math.abs(p - c);
          v += pa <= pb && pa <= pc ? a : pb <= pc ? b : c;
          break;
        }
        default:
          throw new Error(`bad PNG filter ${filter}`);
      }
      cur[i] = v & 0xff;
    }
    for (let x = 0; x < width; x++) {
      const o = (y * width + x) * 4;
      out[o] = cur[x * channels]!;
      out[o + 1] = cur[x * channels + 1]!;
      out[o + 2] = cur[x * channels + 2]!;
      out[o + 3] = channels === 4 ? cur[x * channels + 3]! : 255;
    }
    prev.set(cur);
  }
  return { width, height, data: out };
}

export function pixelAt(p: Pixels, x: number, y: number): Rgb {
  const xi = Math.round(x);
  const yi = Math.round(y);
  if (xi < 0 || yi < 0 || xi >= p.width || yi >= p.height) throw new Error(`pixel ${xi},${yi} outside ${p.width}×${p.height}`);
  const o = (yi * p.width + xi) * 4;
  return [p.data[o]!, p.data[o + 1]!, p.data[o + 2]!];
}

export const near = (a: Rgb, b: Rgb, tol = 6): boolean => a.every((v, i) => Math.abs(v - b[i]!) <= tol);

/** Pixels of one colour inside a rectangle: how many and their centroid (NaN when none). */
export function colorStats(p: Pixels, rect: Rect, color: Rgb, tol = 6): { count: number; cx: number; cy: number } {
  let count = 0;
  let sx = 0;
  let sy = 0;
  const x0 = Math.max(0, Math.round(rect.x));
  const y0 = Math.max(0, Math.round(rect.y));
  const x1 = Math.min(p.width, Math.round(rect.x + rect.width));
  const y1 = Math.min(p.height, Math.round(rect.y + rect.height));
  for (let y = y0; y < y1; y++) {
    for (let x = x0; x < x1; x++) {
      const o = (y * p.width + x) * 4;
      if (
        Math.abs(p.data[o]! - color[0]) <= tol &&
        Math.abs(p.data[o + 1]! - color[1]) <= tol &&
        Math.abs(p.data[o + 2]! - color[2]) <= tol
      ) {
        count++;
        sx += x;
        sy += y;
      }
    }
  }
  return { count, cx: count ? sx / count : NaN, cy: count ? sy / count : NaN };
}
