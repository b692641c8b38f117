// Reads a PMTiles archive with the pmtiles npm package (an implementation
// independent of geodata's writer) and prints, as JSON, its header, metadata and
// the SHA-256 of the decompressed bytes of each tile asked for (null when the
// archive has no such tile).
// Usage: node pmtiles-read.mjs ARCHIVE Z/X/Y...   (tiles also one per line on stdin with "-")
import { PMTiles } from 'pmtiles';
import { open } from 'node:fs/promises';
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';

// FileSource serves byte ranges of a local file to PMTiles.
class FileSource {
  constructor(path) { this.path = path; this.handle = null; }
  getKey() { return this.path; }
  async getBytes(offset, length) {
    this.handle ??= await open(this.path, 'r');
    const buf = Buffer.alloc(length);
    const { bytesRead } = await this.handle.read(buf, 0, length, offset);
    return { data: buf.buffer.slice(buf.byteOffset, buf.byteOffset + bytesRead) };
  }
  async close() { if (this.handle) { await this.handle.close(); } }
}

const [archive, ...rest] = process.argv.slice(2);
const wanted = rest[0] === '-' ? readFileSync(0, 'utf8').split(/\s+/).filter(Boolean) : rest;
const source = new FileSource(archive);
const pm = new PMTiles(source);
try {
  const header = await pm.getHeader();
  const metadata = await pm.getMetadata();
  const tiles = {};
  for (const zxy of wanted) {
    const [z, x, y] = zxy.split('/').map(Number);
    const tile = await pm.getZxy(z, x, y);
    tiles[zxy] = tile ? createHash('sha256').update(Buffer.from(tile.data)).digest('hex') : null;
  }
  console.log(JSON.stringify({ header, metadata, tiles }));
} finally {
  await source.close();
}
