// The tool registry and what each tool writes, against a small real label volume (no viewer, no DOM).
import { describe, expect, it } from 'vitest';
import { DiffRecorder, paintStencil, type LabelmapVolume } from '../../../renderer/labelmap/index.js';
import { DEFAULT_SETTINGS, TOOLS, toolById } from '../../../renderer/tools/index.js';
import type { ToolSettings } from '../../../renderer/tools/index.js';
import { describeEdit } from '../../../renderer/tools/describe.js';
import { COMMANDS } from '../../../renderer/commands.js';

const settings: ToolSettings = {
  activeLabel: 202, radiusMm: 1, brush3d: false, throughPlaneSlices: 3, mode: 'overwrite',
  locked: new Set([1]), threshold: [10, 20], fill3d: false, maxFillPercent: 100, maxFill3dPercent: 100, sampleClick: false,
};

function volume(): LabelmapVolume {
  // 5×5×1, spacing 1 mm; left column locked label 1, image = 15 (in range) on the right half, 50 elsewhere.
  const labels = new Uint8Array(25);
  const image = new Float32Array(25);
  for (let j = 0; j < 5; j++) for (let i = 0; i < 5; i++) {
    labels[i + 5 * j] = i === 0 ? 1 : 0;
    image[i + 5 * j] = i >= 3 ? 15 : 50;
  }
  return { size: [5, 5, 1], spacing: [1, 1, 1], labels, image };
}

describe('tool registry', () => {
  it('has unique ids and hotkeys, all listed in the shortcut overlay', () => {
    expect(new Set(TOOLS.map((t) => t.id)).size).toBe(TOOLS.length);
    expect(new Set(TOOLS.map((t) => t.hotkey)).size).toBe(TOOLS.length);
    const keys = COMMANDS.flatMap((c) => c.keys);
    for (const t of TOOLS) expect(keys, t.id).toContain(t.hotkey);
    expect(toolById('brush').title).toBe('Brush');
  });

  it('brush writes the active label, eraser background, and neither touches locked voxels', () => {
    for (const [id, expected] of [['brush', 202], ['eraser', 0]] as const) {
      const vol = volume();
      if (id === 'eraser') vol.labels.fill(7).fill(1, 0, 1);
      const tool = toolById(id);
      if (tool.kind !== 'stroke') throw new Error('stroke tool expected');
      const rec = new DiffRecorder(vol.labels);
      paintStencil(vol, rec, [0, 0, 0], tool.brush(settings, 2));
      const diff = rec.finish();
      expect(diff.indices.length).toBeGreaterThan(0);
      expect([...diff.after].every((v) => v === expected)).toBe(true);
      expect(vol.labels[0]).toBe(1); // the locked voxel kept its label
    }
  });

  it('threshold brush leaves out-of-range voxels alone', () => {
    const vol = volume();
    const tool = toolById('threshold');
    if (tool.kind !== 'stroke') throw new Error('stroke tool expected');
    const rec = new DiffRecorder(vol.labels);
    paintStencil(vol, rec, [2.5, 2, 0], { ...tool.brush({ ...settings, radiusMm: 3 }, 2) });
    const diff = rec.finish();
    expect(diff.indices.length).toBeGreaterThan(0);
    for (const i of diff.indices) expect(vol.image![i]).toBe(15);
  });

  it('fill tools report a region over the limit (a share of the slice) instead of writing part of it', () => {
    const vol = volume();
    const fill = toolById('fill');
    if (fill.kind !== 'click') throw new Error('click tool expected');
    const before = vol.labels.slice();
    // The background region (20 of the slice's 25 voxels) reaches the slice's edge: refused unless forced.
    const res = fill.apply(vol, [2, 2, 0], 2, { ...settings, maxFillPercent: 20 }, true); // 20 % = 5 voxels
    expect(res.truncated).toBe(true);
    expect(fill.limit?.(vol, 2, { ...settings, maxFillPercent: 20 })).toBe('20 % of the slice (5 voxels)');
    expect(vol.labels).toEqual(before);
    expect(fill.apply(vol, [2, 2, 0], 2, settings)).toMatchObject({ reachesBorder: true, diff: { indices: new Uint32Array(0) } });
    expect(vol.labels).toEqual(before);
    const ok = fill.apply(vol, [2, 2, 0], 2, { ...settings, maxFillPercent: 80 }, true);
    expect(ok.diff.indices.length).toBe(20);
  });

  it('threshold fill limits 2-D fills by the slice and 3-D fills by the volume', () => {
    const tf = toolById('thresholdFill');
    if (tf.kind !== 'click') throw new Error('click tool expected');
    const vol = volume(); // the in-range region: i = 3..4, 10 voxels of the 25-voxel slice
    expect(tf.apply(vol, [3, 2, 0], 2, { ...settings, maxFillPercent: 36 })).toMatchObject({ truncated: true }); // 9 voxels
    expect(tf.apply(vol, [3, 2, 0], 2, { ...settings, maxFillPercent: 40 }).diff.indices.length).toBe(10);
    // 3-D: its own share (of the volume); the slice share does not apply.
    expect(tf.limit?.(vol, 2, { ...settings, fill3d: true, maxFillPercent: 100, maxFill3dPercent: 40 })).toBe('40 % of the volume (10 voxels)');
    expect(tf.apply(volume(), [3, 2, 0], 2, { ...settings, fill3d: true, maxFillPercent: 100, maxFill3dPercent: 36 })).toMatchObject({ truncated: true });
    expect(tf.apply(volume(), [3, 2, 0], 2, { ...settings, fill3d: true, maxFillPercent: 1, maxFill3dPercent: 40 }).diff.indices.length).toBe(10);
  });

  it('starts with a 3-D fill limit of 2 % of the volume and 25 % of the slice for 2-D fills', () => {
    expect(DEFAULT_SETTINGS.maxFill3dPercent).toBe(2);
    expect(DEFAULT_SETTINGS.maxFillPercent).toBe(25);
  });

  it('the eraser names the labels it erased in the history', () => {
    const tool = toolById('eraser');
    if (tool.kind !== 'stroke' || !tool.describe) throw new Error('eraser with describe expected');
    const diff = (before: number[]) => ({ indices: Uint32Array.from(before.map((_, i) => i)), before: Uint8Array.from(before), after: new Uint8Array(before.length) });
    expect(tool.describe(diff([3, 3, 3]), settings)(3)).toBe('Erase L3, 3 voxels');
    expect(tool.describe(diff([3, 4, 4, 0]), settings)(3)).toBe('Erase L2 + L3, 3 voxels');
    expect(tool.describe(diff([1, 2, 3, 4, 5]), settings)(1)).toBe('Erase 5 labels, 1 voxel');
  });

  it('describes edits the way the history panel lists them', () => {
    expect(describeEdit('Brush', 202, 312)).toBe('Brush L4/L5, 312 voxels');
    expect(describeEdit('Eraser', 0, 1)).toBe('Eraser background, 1 voxel');
  });
});
