// The nucleus/CSF ratio sampled while the T2 image streams from a real .mha file (levelMeasuresSignal.ts) against
// the ratio from the image in memory, on box phantoms in both SPIDER orientations with a noisy image (so that every
// slice minimum and sum matters): equal exactly, whatever the piece size, compressed or not, int16 or float32. A
// truncated, corrupt or resized image file leaves the ratio out with a note naming the file (the other measures
// stand); a series with no canal does not read its image at all.
import { mkdtempSync, readFileSync, rmSync, truncateSync, writeFileSync, mkdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import type { SeriesEntry } from '../../../main/core/dataset/index.js';
import { measureLevels, planLevelMeasures, sagittalFrame } from '../../../main/core/gradings/levelMeasures.js';
import { sampleFile, SignalUnavailable } from '../../../main/core/gradings/levelMeasuresSignal.js';
import { measureSeriesEntry } from '../../../main/core/gradings/levelMeasuresService.js';
import { writeMetaImage } from '../../../main/core/mha/index.js';
import { makePhantom, type Phantom } from './levelPhantom.js';

const root = mkdtempSync(join(tmpdir(), 'spine-level-signal-'));
mkdirSync(join(root, 'images'));
afterAll(() => rmSync(root, { recursive: true, force: true }));

/** The phantom's image plus deterministic noise and an offset, so slice minima differ from 0 and from each other. */
function noisy(ph: Phantom): Int16Array {
  let x = 12345;
  return Int16Array.from(ph.image, (v) => {
    x = (x * 1103515245 + 12345) & 0x7fffffff;
    return v + 40 + (x % 97);
  });
}

const entry = (ph: Phantom, file: string): SeriesEntry =>
  ({ id: '9_t2', patientId: 9, sequence: 't2', imageFile: file, maskFile: 'masks/9_t2.mha', image: { geometry: ph.geometry }, mask: null, overview: null, orientation: null, problems: [] }) as unknown as SeriesEntry;

describe.each(['LPS', 'PIR'] as const)('streamed signal on a %s phantom', (orientation) => {
  const ph = makePhantom({ orientation, slipLevel: 3, slipMm: 4 });
  const image = noisy(ph);
  const inMemory = measureLevels('9_t2', ph.labels, ph.geometry, image);

  it('has a ratio per level from the noisy image (the test is not vacuous)', () => {
    expect(inMemory.levels).toHaveLength(4);
    for (const l of inMemory.levels) expect(l.signalRatio).toBeGreaterThan(0.55);
    // The noise moved it off the clean 0.6 somewhere.
    expect(inMemory.levels.some((l) => l.signalRatio !== 0.6)).toBe(true);
  });

  for (const [name, compress, chunkBytes, pixelType] of [
    ['compressed, odd 4099-byte pieces', true, 4099, 'int16'],
    ['compressed, 64 KiB pieces', true, 65536, 'int16'],
    ['compressed, default pieces, float32', true, undefined, 'float32'],
    ['uncompressed (one piece)', false, undefined, 'int16'],
  ] as const) {
    it(`equals the in-memory ratio exactly: ${name}`, async () => {
      const file = `images/9_t2_${orientation}_${pixelType}_${compress}.mha`;
      const data = pixelType === 'float32' ? Float32Array.from(image) : image;
      await writeMetaImage(join(root, file), { geometry: ph.geometry, pixelType, data }, { compress });
      const { result, signal } = planLevelMeasures('9_t2', ph.labels, ph.geometry);
      expect(result.levels.every((l) => l.signalRatio === null)).toBe(true);
      const ratios = await sampleFile(signal!, join(root, file), file, ph.geometry, { within: root, ...(chunkBytes === undefined ? {} : { chunkBytes }) });
      expect(ratios).toEqual(inMemory.levels.map((l) => l.signalRatio));
      const viaService = await measureSeriesEntry(root, entry(ph, file), { volume: ph.labels, revision: 3 }, null, chunkBytes === undefined ? {} : { chunkBytes });
      expect(viaService.levels).toEqual(inMemory.levels);
      expect(viaService.revision).toBe(3);
    });
  }

  it('subtracts each sagittal slice\'s own minimum: a different offset per slice leaves the clean 0.6', async () => {
    const frame = sagittalFrame(ph.geometry);
    if (typeof frame === 'string') throw new Error(frame);
    const [n0, n1] = ph.geometry.size;
    const lrOf = (v: number): number => (frame.lr === 0 ? v % n0 : frame.lr === 1 ? Math.floor(v / n0) % n1 : Math.floor(v / (n0 * n1)));
    const shifted = Int16Array.from(ph.image, (x, v) => x + 50 + 37 * lrOf(v));
    const file = `images/9_t2_${orientation}_shifted.mha`;
    await writeMetaImage(join(root, file), { geometry: ph.geometry, pixelType: 'int16', data: shifted }, { compress: true });
    const { signal } = planLevelMeasures('9_t2', ph.labels, ph.geometry);
    const ratios = await sampleFile(signal!, join(root, file), file, ph.geometry, { within: root, chunkBytes: 4099 });
    expect(ratios).toEqual([0.6, 0.6, 0.6, 0.6]);
    expect(measureLevels('9_t2', ph.labels, ph.geometry, shifted).levels.map((l) => l.signalRatio)).toEqual(ratios);
  });

  it('leaves the ratio out, naming the file, when the image is truncated, corrupt or resized', async () => {
    const good = `images/9_t2_${orientation}_good.mha`;
    await writeMetaImage(join(root, good), { geometry: ph.geometry, pixelType: 'int16', data: image }, { compress: true });
    const bytes = readFileSync(join(root, good));
    const truncated = `images/9_t2_${orientation}_truncated.mha`;
    writeFileSync(join(root, truncated), bytes);
    truncateSync(join(root, truncated), bytes.length - 200);
    const corrupt = `images/9_t2_${orientation}_corrupt.mha`;
    const flipped = Buffer.from(bytes);
    for (let i = bytes.length - 400; i < bytes.length - 300; i++) flipped[i] = flipped[i]! ^ 0x5a;
    writeFileSync(join(root, corrupt), flipped);
    const resized = `images/9_t2_${orientation}_resized.mha`;
    const [a, b, c] = ph.geometry.size;
    await writeMetaImage(join(root, resized), { geometry: { ...ph.geometry, size: [a, b, c - 1] }, pixelType: 'int16', data: image.subarray(0, a * b * (c - 1)) }, { compress: true });
    const missing = `images/9_t2_${orientation}_missing.mha`;
    for (const [file, why] of [
      [truncated, /cannot be read \(.*truncated\.mha/],
      [corrupt, /cannot be read \(.*corrupt\.mha/],
      [resized, /changed since the scan/],
      [missing, /cannot be read \(.*missing\.mha/],
    ] as const) {
      const m = await measureSeriesEntry(root, entry(ph, file), { volume: ph.labels, revision: 1 });
      expect(m.levels).toHaveLength(4);
      for (const [i, l] of m.levels.entries()) {
        expect(l.signalRatio).toBeNull();
        const note = l.notes.find((n) => n.startsWith('no nucleus/CSF signal: '));
        expect(note).toContain(file);
        expect(note).toMatch(why);
        // Everything measured from the labels stands.
        expect({ ...l, notes: [], signalRatio: null }).toEqual({ ...inMemory.levels[i]!, notes: [], signalRatio: null });
      }
      const { signal } = planLevelMeasures('9_t2', ph.labels, ph.geometry);
      await expect(sampleFile(signal!, join(root, file), file, ph.geometry, { within: root, chunkBytes: 4099 })).rejects.toBeInstanceOf(SignalUnavailable);
    }
  });

  it('does not read the image when no level has a canal', async () => {
    const labels = Uint8Array.from(ph.labels, (l) => (l === 100 ? 0 : l));
    const m = await measureSeriesEntry(root, entry(ph, 'images/nowhere.mha'), { volume: labels, revision: 0 });
    expect(m.levels).toHaveLength(4);
    for (const l of m.levels) {
      expect(l.signalRatio).toBeNull();
      expect(l.notes).toContain('no nucleus/CSF signal (disc core or canal missing)');
      expect(l.notes.join(' ')).not.toMatch(/nowhere/);
    }
  });
});
