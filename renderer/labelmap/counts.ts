// Voxel counts per label value of a label volume (one pass, 256 bins).
export function labelCounts(labels: Uint8Array): Uint32Array {
  const counts = new Uint32Array(256);
  for (let i = 0; i < labels.length; i++) counts[labels[i]!]!++;
  return counts;
}
