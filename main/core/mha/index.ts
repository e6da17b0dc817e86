// Sole entry point of the MetaImage (.mha / .mhd + .raw/.zraw) reader and writer. Plain Node (main/core):
// no electron import. Import from here, not from the files behind it.
export type { HeaderReadOptions, MetaImage, MetaImageHeader, PixelArray, PixelType, ReadOptions, WriteOptions } from './types.js';
export { MetaImageError, type MetaImageProblem } from './errors.js';
export { bytesPerVoxel, PIXEL_TYPES, pixelArrayFor } from './pixelTypes.js';
export { DEFAULT_MAX_BYTES, readMetaImage, readMetaImageChunks, readMetaImageHeader, readMetaImageHeaderSync } from './read.js';
export { DEFAULT_LEVEL, encodeMetaImage, writeMetaImage } from './write.js';
