// Reporters' photos: the type read from the bytes (never the name or the declared type), then
// decoded, turned upright, resized and re-encoded as JPEG by sharp, which writes no metadata (EXIF
// with GPS position, XMP, ICC comments) unless asked; a thumbnail for popups beside each photo.
import { randomBytes } from 'node:crypto';
import { fileTypeFromBuffer } from 'file-type';
import sharp from 'sharp';
import { ClientError } from '../http/errors.ts';
import type { FileStore } from '../storage/file-store.ts';

/** Most photos one report carries. */
export const MAX_PHOTOS = 3;
/** Types accepted, as file-type names them from the bytes. */
export const PHOTO_TYPES: readonly string[] = ['image/jpeg', 'image/png', 'image/webp'];
/** Longest side of a stored photo and of its thumbnail, in pixels. */
const PHOTO_SIDE = 1600;
const THUMB_SIDE = 320;
/** Refuses decompression bombs before decoding: 50 megapixels is more than any phone takes. */
const MAX_INPUT_PIXELS = 50_000_000;

export interface PhotoUpload {
  /** Name given by the client, only to say which file was refused. */
  name: string;
  bytes: Buffer;
}

export interface ProcessedPhoto {
  key: string;
  photo: Buffer;
  thumb: Buffer;
  width: number;
  height: number;
}

/** Cheap checks, made before the report counts against the rate limit: number, size, type from bytes. */
export async function checkPhotos(uploads: readonly PhotoUpload[], maxBytes: number): Promise<void> {
  if (uploads.length > MAX_PHOTOS) {
    throw new ClientError(422, 'UnprocessableEntity', `${MAX_PHOTOS} photos au plus / at most ${MAX_PHOTOS} photos`, { field: 'photos' });
  }
  for (const upload of uploads) {
    if (upload.bytes.length > maxBytes) {
      throw new ClientError(413, 'PayloadTooLarge', `photo « ${upload.name} » trop lourde (${Math.round(maxBytes / 1048576)} Mo au plus) / photo "${upload.name}" too large (at most ${Math.round(maxBytes / 1048576)} MB)`, { field: 'photos' });
    }
    const type = await fileTypeFromBuffer(upload.bytes);
    if (!type || !PHOTO_TYPES.includes(type.mime)) {
      throw new ClientError(415, 'UnsupportedMediaType', `photo « ${upload.name} » : JPEG, PNG ou WebP attendu / photo "${upload.name}": JPEG, PNG or WebP expected`, { field: 'photos' });
    }
  }
}

/** Decodes and re-encodes one photo and its thumbnail; a 422 when the bytes do not decode. */
export async function processPhoto(upload: PhotoUpload): Promise<ProcessedPhoto> {
  try {
    // rotate() applies the EXIF orientation to the pixels, since the EXIF itself is dropped.
    const upright = sharp(upload.bytes, { limitInputPixels: MAX_INPUT_PIXELS, failOn: 'error' }).rotate();
    const { data: photo, info } = await upright.clone()
      .resize({ width: PHOTO_SIDE, height: PHOTO_SIDE, fit: 'inside', withoutEnlargement: true })
      .jpeg({ quality: 82, mozjpeg: true })
      .toBuffer({ resolveWithObject: true });
    const thumb = await upright.clone()
      .resize({ width: THUMB_SIDE, height: THUMB_SIDE, fit: 'inside', withoutEnlargement: true })
      .jpeg({ quality: 75 })
      .toBuffer();
    return { key: randomBytes(12).toString('hex'), photo, thumb, width: info.width, height: info.height };
  } catch {
    throw new ClientError(422, 'UnprocessableEntity', `photo « ${upload.name} » illisible / photo "${upload.name}" cannot be read`, { field: 'photos' });
  }
}

/** File store keys of a photo and of its thumbnail. */
export const photoKey = (key: string) => `incidents/${key}.jpg`;
export const thumbKey = (key: string) => `incidents/${key}-thumb.jpg`;
/** The public path a photo is served at (the random key is what keeps it from being listed). */
export const photoPath = (key: string, thumb = false) => `/api/incidents/photos/${key}${thumb ? '-thumb' : ''}.jpg`;

export async function storePhoto(files: FileStore, photo: ProcessedPhoto): Promise<void> {
  await files.put(photoKey(photo.key), photo.photo, 'image/jpeg');
  await files.put(thumbKey(photo.key), photo.thumb, 'image/jpeg');
}

/** Removes photos' files and their thumbnails (a file already gone is not an error). */
export async function deletePhotos(files: FileStore, keys: readonly string[]): Promise<void> {
  for (const key of keys) {
    await files.delete(photoKey(key));
    await files.delete(thumbKey(key));
  }
}
