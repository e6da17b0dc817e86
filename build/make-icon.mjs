#!/usr/bin/env node
// Draws the app icon (build/icon.png, 512×512 RGBA): a lumbar column of five vertebrae with discs between them on
// a dark rounded square. electron-builder derives the .icns/.ico from it. Run: node build/make-icon.mjs
import { writeFileSync } from 'node:fs';
import { deflateSync } from 'node:zlib';

const N = 512;
const px = new Uint8Array(N * N * 4);
const inRoundRect = (x, y, x0, y0, x1, y1, r) => {
  const cx = Math.min(Math.max(x, x0 + r), x1 - r);
  const cy = Math.min(Math.max(y, y0 + r), y1 - r);
  return (x - cx) ** 2 + (y - cy) ** 2 <= r * r && x >= x0 && x <= x1 && y >= y0 && y <= y1;
};
const shapes = [{ box: [16, 16, 496, 496, 96], rgb: [22, 28, 36] }];
for (let i = 0; i < 5; i++) {
  const y0 = 70 + i * 78;
  const w = 150 + i * 12; // lower vertebrae are wider
  shapes.push({ box: [256 - w / 2, y0, 256 + w / 2, y0 + 56, 18], rgb: [232, 226, 214] });
  if (i < 4) shapes.push({ box: [256 - w / 2 + 14, y0 + 60, 256 + w / 2 - 14, y0 + 74, 7], rgb: [64, 170, 220] });
}
shapes.push({ box: [236, 60, 276, 460, 20], rgb: [220, 80, 60], behind: true });
for (let y = 0; y < N; y++) {
  for (let x = 0; x < N; x++) {
    let c = null;
    for (const s of shapes) {
      if (s.behind && c && c !== shapes[0].rgb) continue;
      const [x0, y0, x1, y1, r] = s.box;
      if (inRoundRect(x + 0.5, y + 0.5, x0, y0, x1, y1, r)) c = s.rgb;
    }
    const o = (y * N + x) * 4;
    if (c) [px[o], px[o + 1], px[o + 2], px[o + 3]] = [...c, 255];
  }
}
const raw = Buffer.alloc(N * (N * 4 + 1));
for (let y = 0; y < N; y++) Buffer.from(px.buffer, y * N * 4, N * 4).copy(raw, y * (N * 4 + 1) + 1);
const crcTable = Array.from({ length: 256 }, (_, n) => {
  let c = n;
  for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
  return c >>> 0;
});
const crc = (buf) => {
  let c = 0xffffffff;
  for (const b of buf) c = crcTable[(c ^ b) & 0xff] ^ (c >>> 8);
  return (c ^ 0xffffffff) >>> 0;
};
const chunk = (type, data) => {
  const len = Buffer.alloc(4);
  len.writeUInt32BE(data.length);
  const td = Buffer.concat([Buffer.from(type), data]);
  const c = Buffer.alloc(4);
  c.writeUInt32BE(crc(td));
  return Buffer.concat([len, td, c]);
};
const ihdr = Buffer.alloc(13);
ihdr.writeUInt32BE(N, 0);
ihdr.writeUInt32BE(N, 4);
ihdr.set([8, 6, 0, 0, 0], 8);
const png = Buffer.concat([Buffer.from([137, 80, 78, 71, 13, 10, 26, 10]), chunk('IHDR', ihdr), chunk('IDAT', deflateSync(raw, { level: 9 })), chunk('IEND', Buffer.alloc(0))]);
writeFileSync(new URL('./icon.png', import.meta.url), png);
console.log(`build/icon.png: ${png.length} bytes`);
