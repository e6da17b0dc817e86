// A synthetic lumbar spine in world space (LPS, mm) and its rasterisation onto any voxel grid.
// Vertebral bodies are rounded blocks stacked on a lordotic curve, discs fill the gaps between them, the canal
// runs behind the bodies, the sacrum sits below disc L5/S1 (background in the mask, as in SPIDER).
import type { VolumeGeometry } from '../../../common/geometry.js';
import { axisVector } from '../../../common/geometry.js';
import { CANAL_LABEL, discLabel, vertebraLabel } from '../../../common/labels.js';
import { createGaussian, createRandom, uniform } from './random.js';

/** Tissue classes; each has a T1 and T2 signal. */
export const enum Tissue {
  Air = 0,
  Soft = 1,
  Fat = 2,
  Cortex = 3,
  Marrow = 4,
  Annulus = 5,
  Nucleus = 6,
  Csf = 7,
  Sacrum = 8,
}

export type Contrast = 't1' | 't2';

// Relative signal (0..1) per tissue, T1 and T2 weighted. Degenerated discs lose nucleus T2 signal.
const SIGNAL: Record<Contrast, readonly number[]> = {
  //     air   soft  fat   cortex marrow annulus nucleus csf   sacrum
  t1: [0.0, 0.33, 0.85, 0.08, 0.62, 0.24, 0.3, 0.1, 0.58],
  t2: [0.0, 0.28, 0.62, 0.06, 0.42, 0.22, 0.88, 0.97, 0.4],
};

interface Level {
  /** Centre of the vertebral body, (y, z) in mm. */
  y: number;
  z: number;
  /** Unit tangent of the spinal curve at the centre, in the (y, z) plane. */
  ty: number;
  tz: number;
  halfHeight: number;
}

interface DiscShape extends Level {
  /** Factor on the nucleus T2 signal: 1 for a healthy disc (Pfirrmann 1), lower when degenerated. */
  t2Factor: number;
}

export interface Anatomy {
  vertebrae: number;
  levels: Level[]; // index 0 = vertebra 1 (L5)
  discs: DiscShape[]; // index 0 = disc below vertebra 1 (L5/S1)
  sacrum: Level;
  xCentre: number;
  bodyHalfDepth: number;
  bodyHalfWidth: number;
  discHalfDepth: number;
  discHalfWidth: number;
  canalRadiusAP: number;
  canalRadiusLR: number;
  skinPosteriorY: number;
  curve: { yBase: number; lordosis: number; zMid: number; halfSpan: number };
  /** World box every series of this patient covers (mm). */
  fov: { x: [number, number]; y: [number, number]; z: [number, number] };
}

/** Lateral half-extent the sagittal series cover (mm). */
const LATERAL_HALF_FOV = 26;

export interface AnatomyOptions {
  vertebrae: number;
  /** Pfirrmann grade per disc (index 0 = L5/S1), 1..5: degenerated discs are lower and darker on T2. */
  pfirrmann: readonly number[];
  seed: string;
}

export function createAnatomy(opts: AnatomyOptions): Anatomy {
  const rand = createRandom(`${opts.seed}:anatomy`);
  const vh = uniform(rand, 24, 28); // vertebral body height
  const lordosis = uniform(rand, 10, 18);
  const xCentre = uniform(rand, -3, 3);
  const discHeights = opts.pfirrmann.map((g) => 10.5 - 1.2 * (g - 1) + uniform(rand, -0.5, 0.5));
  const sacrumTop = -110;
  let z = sacrumTop;
  const zs: { discZ: number; discH: number; vertZ: number }[] = [];
  for (let n = 0; n < opts.vertebrae; n++) {
    const dh = discHeights[n] ?? 9;
    const discZ = z + dh / 2;
    z += dh;
    const vertZ = z + vh / 2;
    z += vh;
    zs.push({ discZ, discH: dh, vertZ });
  }
  const top = z;
  const zMid = (sacrumTop + top) / 2;
  const halfSpan = (top - sacrumTop) / 2 + 20;
  const curve = { yBase: 0, lordosis, zMid, halfSpan };
  const at = (zz: number, halfHeight: number): Level => {
    const u = (zz - zMid) / halfSpan;
    const y = curve.yBase - lordosis * (1 - u * u);
    const slope = (lordosis * 2 * (zz - zMid)) / (halfSpan * halfSpan);
    const len = Math.hypot(slope, 1);
    return { y, z: zz, ty: slope / len, tz: 1 / len, halfHeight };
  };
  const levels = zs.map((s) => at(s.vertZ, vh / 2));
  const discs = zs.map((s, n) => ({ ...at(s.discZ, s.discH / 2 + 1.5), t2Factor: 1 - 0.2 * ((opts.pfirrmann[n] ?? 1) - 1) }));
  // The sacrum: a block tilted forward (sacral slope) below L5/S1.
  const sTilt = (35 * Math.PI) / 180;
  const sacrum: Level = { y: at(sacrumTop, 0).y + 8, z: sacrumTop - 22, ty: -Math.sin(sTilt), tz: Math.cos(sTilt), halfHeight: 22 };
  const bodyHalfDepth = uniform(rand, 16, 18);
  const canalRadiusAP = uniform(rand, 6, 8);
  const yPosterior = bodyHalfDepth + 3 + 2 * canalRadiusAP + 30;
  return {
    vertebrae: opts.vertebrae,
    levels,
    discs,
    sacrum,
    xCentre,
    bodyHalfDepth,
    bodyHalfWidth: uniform(rand, 20, 23),
    discHalfDepth: bodyHalfDepth - 1,
    discHalfWidth: 19,
    canalRadiusAP,
    canalRadiusLR: 9,
    skinPosteriorY: yPosterior,
    curve,
    fov: {
      x: [xCentre - LATERAL_HALF_FOV, xCentre + LATERAL_HALF_FOV],
      y: [-lordosis - 95, yPosterior + 25],
      z: [sacrumTop - 45, top + 8],
    },
  };
}

/** Superellipsoid radius (power 4: a rounded block); <= 1 inside. */
function blockRadius(l: Level, x: number, y: number, z: number, hx: number, hAcross: number): number {
  const dy = y - l.y;
  const dz = z - l.z;
  const along = (dy * l.ty + dz * l.tz) / l.halfHeight;
  const across = (dy * l.tz - dz * l.ty) / hAcross;
  const lat = x / hx;
  return along * along * along * along + across * across * across * across + lat * lat * lat * lat;
}

export interface Voxel {
  label: number;
  tissue: Tissue;
  /** Disc index (0-based) when the voxel is disc tissue, for the Pfirrmann-dependent T2 signal. */
  disc: number;
}

/** Label and tissue of a world point. */
export function classify(a: Anatomy, xw: number, y: number, z: number, out: Voxel): Voxel {
  const x = xw - a.xCentre;
  out.disc = -1;
  // Vertebral bodies (checked first, discs fill what is left between them).
  for (let n = 0; n < a.levels.length; n++) {
    const l = a.levels[n]!;
    if (Math.abs(z - l.z) > l.halfHeight + 6) continue;
    const r = blockRadius(l, x, y, z, a.bodyHalfWidth, a.bodyHalfDepth);
    if (r <= 1) {
      out.label = vertebraLabel(n + 1);
      out.tissue = r > 0.72 ? Tissue.Cortex : Tissue.Marrow;
      return out;
    }
  }
  for (let n = 0; n < a.discs.length; n++) {
    const d = a.discs[n]!;
    if (Math.abs(z - d.z) > d.halfHeight + 6) continue;
    const r = blockRadius(d, x, y, z, a.discHalfWidth, a.discHalfDepth);
    if (r <= 1) {
      out.label = discLabel(n + 1);
      out.tissue = r < 0.35 ? Tissue.Nucleus : Tissue.Annulus;
      out.disc = n;
      return out;
    }
  }
  // Canal: an elliptic tube behind the bodies, following the curve.
  const c = a.curve;
  const u = (z - c.zMid) / c.halfSpan;
  const yc = c.yBase - c.lordosis * (1 - u * u) + a.bodyHalfDepth + 3 + a.canalRadiusAP;
  const topZ = a.fov.z[1];
  if (z > a.sacrum.z && z <= topZ) {
    const cy = (y - yc) / a.canalRadiusAP;
    const cx = x / a.canalRadiusLR;
    if (cy * cy + cx * cx <= 1) {
      out.label = CANAL_LABEL;
      out.tissue = Tissue.Csf;
      return out;
    }
  }
  out.label = 0;
  if (blockRadius(a.sacrum, x, y, z, a.bodyHalfWidth + 8, a.bodyHalfDepth + 4) <= 1) {
    out.tissue = Tissue.Sacrum;
  } else if (y > a.skinPosteriorY) {
    out.tissue = Tissue.Air;
  } else if (y > a.skinPosteriorY - 9) {
    out.tissue = Tissue.Fat;
  } else {
    out.tissue = Tissue.Soft;
  }
  return out;
}

/** Label volume (SPIDER values) and relative signal (0..1 plus noise) of one series on its grid. */
export interface Rasterised {
  labels: Int16Array;
  signal: Float32Array;
}

export function rasterise(a: Anatomy, g: VolumeGeometry, contrast: Contrast, seed: string, noise = 0.025): Rasterised {
  const [nx, ny, nz] = g.size;
  const n = nx * ny * nz;
  const labels = new Int16Array(n);
  const signal = new Float32Array(n);
  const gauss = createGaussian(createRandom(`${seed}:noise`));
  const sig = SIGNAL[contrast];
  const v0 = axisVector(g, 0), v1 = axisVector(g, 1), v2 = axisVector(g, 2);
  const s0 = g.spacing[0], s1 = g.spacing[1], s2 = g.spacing[2];
  const vox: Voxel = { label: 0, tissue: Tissue.Air, disc: -1 };
  let p = 0;
  for (let k = 0; k < nz; k++) {
    for (let j = 0; j < ny; j++) {
      const bx = g.origin[0] + j * s1 * v1[0] + k * s2 * v2[0];
      const by = g.origin[1] + j * s1 * v1[1] + k * s2 * v2[1];
      const bz = g.origin[2] + j * s1 * v1[2] + k * s2 * v2[2];
      for (let i = 0; i < nx; i++, p++) {
        const x = bx + i * s0 * v0[0];
        const y = by + i * s0 * v0[1];
        const z = bz + i * s0 * v0[2];
        classify(a, x, y, z, vox);
        labels[p] = vox.label;
        let s = sig[vox.tissue]!;
        if (vox.tissue === Tissue.Nucleus && contrast === 't2') s *= a.discs[vox.disc]?.t2Factor ?? 1;
        // Smooth coil-sensitivity falloff towards the anterior side, plus Gaussian noise.
        const bias = 1 - 0.25 * Math.min(1, Math.max(0, (a.skinPosteriorY - y) / 150));
        s = s * bias + noise * gauss();
        signal[p] = s < 0 ? -s : s; // magnitude images are never negative (Rician-like floor)
      }
    }
  }
  return { labels, signal };
}
