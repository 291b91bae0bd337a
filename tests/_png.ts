// A small PNG decoder for checking browser screenshots: 8-bit RGB or RGBA,
// not interlaced (what Firefox's --screenshot writes). The zlib stream is
// inflated with the platform's DecompressionStream("deflate"); anything else
// (palettes, 16-bit, Adam7) is refused with an Error rather than guessed at.

/** A decoded image: rows top to bottom, `channels` bytes per pixel. */
export interface Png {
  width: number;
  height: number;
  /** 3 (RGB) or 4 (RGBA). */
  channels: 3 | 4;
  pixels: Uint8Array;
}

const SIGNATURE = [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a];
/** Bounds the decoded size, so a hostile header cannot ask for gigabytes. */
const MAX_PIXELS = 64 * 1024 * 1024;

async function inflate(zlib: Uint8Array): Promise<Uint8Array> {
  const stream = new Blob([zlib as Uint8Array<ArrayBuffer>]).stream()
    .pipeThrough(new DecompressionStream("deflate"));
  return new Uint8Array(await new Response(stream).arrayBuffer());
}

function paeth(a: number, b: number, c: number): number {
  const p = a + b - c;
  const pa = Math.abs(p - a), pb = Math.abs(p - b), pc = Math.abs(p - c);
  return pa <= pb && pa <= pc ? a : pb <= pc ? b : c;
}

/** Undoes the per-row filters (PNG spec section 9) in place into `out`. */
function unfilter(raw: Uint8Array, out: Uint8Array, stride: number, bpp: number): void {
  const rows = out.length / stride;
  if (raw.length !== rows * (stride + 1)) {
    throw new Error(`PNG data is ${raw.length} bytes, expected ${rows * (stride + 1)}`);
  }
  for (let y = 0; y < rows; y++) {
    const filter = raw[y * (stride + 1)];
    const src = y * (stride + 1) + 1;
    const row = y * stride;
    const prev = row - stride;
    for (let x = 0; x < stride; x++) {
      const a = x >= bpp ? out[row + x - bpp] : 0;
      const b = y > 0 ? out[prev + x] : 0;
      const c = x >= bpp && y > 0 ? out[prev + x - bpp] : 0;
      const v = raw[src + x];
      switch (filter) {
        case 0:
          out[row + x] = v;
          break;
        case 1:
          out[row + x] = v + a;
          break;
        case 2:
          out[row + x] = v + b;
          break;
        case 3:
          out[row + x] = v + ((a + b) >> 1);
          break;
        case 4:
          out[row + x] = v + paeth(a, b, c);
          break;
        default:
          throw new Error(`PNG row ${y} has filter type ${filter}`);
      }
    }
  }
}

/** Decodes `bytes`; throws an Error for anything malformed or unsupported. */
export async function decodePng(bytes: Uint8Array): Promise<Png> {
  if (bytes.length < 8 || SIGNATURE.some((b, i) => bytes[i] !== b)) {
    throw new Error("not a PNG (bad signature)");
  }
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  let header: { width: number; height: number; channels: 3 | 4 } | undefined;
  const idat: Uint8Array[] = [];
  let off = 8;
  for (;;) {
    if (off + 12 > bytes.length) throw new Error("PNG ends before IEND");
    const length = view.getUint32(off);
    const type = String.fromCharCode(...bytes.subarray(off + 4, off + 8));
    if (off + 12 + length > bytes.length) throw new Error(`PNG chunk ${type} is truncated`);
    const start = off + 8;
    const data = bytes.subarray(start, start + length);
    off += 12 + length;
    if (type === "IHDR") {
      const [depth, colour, , , interlace] = data.subarray(8, 13);
      if (depth !== 8 || (colour !== 2 && colour !== 6) || interlace !== 0) {
        throw new Error(
          `unsupported PNG: depth ${depth}, colour ${colour}, interlace ${interlace}`,
        );
      }
      if (length !== 13) throw new Error(`PNG IHDR is ${length} bytes`);
      const width = view.getUint32(start);
      const height = view.getUint32(start + 4);
      if (width === 0 || height === 0 || width * height > MAX_PIXELS) {
        throw new Error(`PNG size ${width}x${height} out of range`);
      }
      header = { width, height, channels: colour === 6 ? 4 : 3 };
    } else if (type === "IDAT") {
      idat.push(data);
    } else if (type === "IEND") {
      break;
    }
  }
  if (!header) throw new Error("PNG has no IHDR");
  const zlib = new Uint8Array(idat.reduce((n, d) => n + d.length, 0));
  idat.reduce((o, d) => (zlib.set(d, o), o + d.length), 0);
  const stride = header.width * header.channels;
  const pixels = new Uint8Array(stride * header.height);
  unfilter(await inflate(zlib), pixels, stride, header.channels);
  return { ...header, pixels };
}

/** The share of pixels (0..1) within `tolerance` of `rgb` on every channel. */
export function shareOfColour(png: Png, rgb: [number, number, number], tolerance = 2): number {
  let hits = 0;
  for (let i = 0; i < png.pixels.length; i += png.channels) {
    if (rgb.every((v, k) => Math.abs(png.pixels[i + k] - v) <= tolerance)) hits++;
  }
  return hits / (png.width * png.height);
}

/**
 * Decodes a browser's screenshot, checks it is `width` x `height`, and returns
 * the share of it in `rgb` with a line describing it for the test's log.
 */
export async function screenshotShare(
  bytes: Uint8Array,
  width: number,
  height: number,
  rgb: [number, number, number],
): Promise<{ share: number; summary: string }> {
  const png = await decodePng(bytes);
  if (png.width !== width || png.height !== height) {
    throw new Error(`screenshot is ${png.width}x${png.height}, expected ${width}x${height}`);
  }
  const share = shareOfColour(png, rgb);
  return {
    share,
    summary: `screenshot: ${bytes.length} bytes, ${width}x${height}, ` +
      `${(share * 100).toFixed(1)}% rgb(${rgb.join(", ")})`,
  };
}
