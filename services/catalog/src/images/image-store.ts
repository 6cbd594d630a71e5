import { mkdir, rename, rm, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { AppError, InvalidError } from "@comptoir/platform";
import sharp, { type Metadata } from "sharp";

/** Longest side of each rendition, in pixels (never enlarged). */
export const THUMBNAIL_SIZE = 320;
export const LARGE_SIZE = 1600;
/** Largest accepted upload. */
export const MAX_IMAGE_BYTES = 10 * 1024 * 1024;
/**
 * Largest accepted image, in pixels (width × height): 40 MP, e.g. 8000 × 5000, more than any camera
 * photo a shop uploads; decoded, 120–160 MB (8-bit RGB or RGBA). A few hundred kilobytes of PNG can
 * declare far more (sharp's own limit is 268 MP, over 1 GB decoded), so every sharp call gets this one.
 */
export const MAX_IMAGE_PIXELS = 40_000_000;

/** sharp with the pixel limit: anything larger fails before it is decoded. */
export const decoder = (input: Buffer) => sharp(input, { limitInputPixels: MAX_IMAGE_PIXELS });

const ACCEPTED = "JPEG, PNG, WebP or AVIF";
const UUID = "[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}";
/** The only file names the image route serves, relative to IMAGES_DIR: nothing else can be reached. */
const SERVABLE = new RegExp(`^catalog/(${UUID})/(${UUID})-(thumb|large)\\.webp$`);

const unsupported = (detail: string) =>
  new InvalidError("unsupported_image", detail, {
    errors: [{ in: "body", field: "file", message: `must be a ${ACCEPTED} image` }],
  });

const tooLarge = () =>
  new AppError("image_too_large", 422, "Unprocessable content", {
    detail: `The image has more than ${MAX_IMAGE_PIXELS / 1_000_000} megapixels (width × height); send a smaller one.`,
    errors: [
      { in: "body", field: "file", message: `must have at most ${MAX_IMAGE_PIXELS.toLocaleString("en")} pixels` },
    ],
  });
const pixelLimitError = (error: unknown) => error instanceof Error && /pixel limit/i.test(error.message);

/**
 * The real type of an upload, read by decoding its header (the client's content type is not
 * trusted). AVIF is decoded by libheif: sharp reports it as `heif` with AV1 compression.
 */
async function acceptedFormat(buffer: Buffer): Promise<string> {
  let metadata: Metadata;
  try {
    // Reads the header only, and already refuses dimensions above the limit.
    metadata = await decoder(buffer).metadata();
  } catch (error) {
    if (pixelLimitError(error)) throw tooLarge();
    throw unsupported(`The file is not an image this service can read; send a ${ACCEPTED} image.`);
  }
  const format = metadata.format === "heif" && metadata.compression === "av1" ? "avif" : metadata.format;
  if (!["jpeg", "png", "webp", "avif"].includes(String(format))) {
    throw unsupported(`Images of type ${String(format)} are not accepted; send a ${ACCEPTED} image.`);
  }
  return String(format);
}

export interface StoredImage {
  /** Size of the large rendition. */
  width: number;
  height: number;
  format: string;
}

/**
 * Validates `buffer`, then writes its two WebP renditions as
 * `<imagesDir>/catalog/<productId>/<imageId>-{thumb,large}.webp` (each written to a temporary name
 * and renamed, so a reader never sees half a file). Throws 400 `unsupported_image` for anything
 * that is not a readable JPEG, PNG, WebP or AVIF, 422 `image_too_large` above MAX_IMAGE_PIXELS.
 */
export async function storeImage(
  imagesDir: string,
  productId: string,
  imageId: string,
  buffer: Buffer,
): Promise<StoredImage> {
  const format = await acceptedFormat(buffer);
  const render = (size: number) =>
    decoder(buffer)
      .rotate() // honour EXIF orientation
      .resize(size, size, { fit: "inside", withoutEnlargement: true })
      .webp({ quality: 82 })
      .toBuffer({ resolveWithObject: true });
  let thumb: Awaited<ReturnType<typeof render>>;
  let large: Awaited<ReturnType<typeof render>>;
  try {
    [thumb, large] = await Promise.all([render(THUMBNAIL_SIZE), render(LARGE_SIZE)]);
  } catch (error) {
    if (pixelLimitError(error)) throw tooLarge();
    throw unsupported("The image could not be decoded (truncated or corrupt file).");
  }
  const dir = join(imagesDir, "catalog", productId);
  await mkdir(dir, { recursive: true });
  for (const [suffix, out] of [
    ["thumb", thumb],
    ["large", large],
  ] as const) {
    const path = join(dir, `${imageId}-${suffix}.webp`);
    const temporary = `${path}.${process.pid}.tmp`;
    await writeFile(temporary, out.data);
    await rename(temporary, path);
  }
  return { width: large.info.width, height: large.info.height, format };
}

/** Removes an image's files; missing files are not an error. */
export async function removeImageFiles(imagesDir: string, productId: string, imageId: string): Promise<void> {
  const dir = join(imagesDir, "catalog", productId);
  await Promise.all(["thumb", "large"].map((s) => rm(join(dir, `${imageId}-${s}.webp`), { force: true })));
}

/**
 * The file behind an image path (`catalog/<productId>/<imageId>-thumb.webp`), or undefined when
 * the path is not one this service writes — `..`, encoded slashes, other names: all refused by
 * the pattern, before any file system access.
 */
export function servablePath(imagesDir: string, relative: string): string | undefined {
  const match = SERVABLE.exec(relative);
  if (!match) return undefined;
  return join(imagesDir, "catalog", match[1]!, `${match[2]!}-${match[3]!}.webp`);
}
