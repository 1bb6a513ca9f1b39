/* eslint-disable @n8n/community-nodes/no-restricted-imports -- test-only code: Node APIs are allowed here, the scanner never reads test/ */
/**
 * The generated "video" the memory benchmarks move: deterministic, every 64 KiB chunk different (its index is
 * stamped into it), and laid out like an MP4 that lasts VIDEO_SECONDS: an ftyp box, one mdat box holding all
 * the rest but the last 116 bytes, then a moov box with its mvhd (metadata at the end, as in a video that was
 * not "fast-started", so a reader has to pass over the whole mdat to find the duration).
 */
import { createHash } from 'node:crypto';
import { createWriteStream } from 'node:fs';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';

export const CHUNK = 64 * 1024;
/** What the file's moov/mvhd says: within Act-Two's 3–30 s for a driving video. */
export const VIDEO_SECONDS = 10;

/** A file as the benchmarks check it: size and SHA-256. */
export interface FileSpec {
	bytes: number;
	sha256: string;
}

const FTYP = Buffer.from('00000018667479706d703432000000006d70343269736f6d', 'hex');
const MDAT_HEADER = 16; // size 1, 'mdat', 64-bit largesize: any file size fits
const MOOV = moovBox(1000, VIDEO_SECONDS * 1000);
const STAMP_AT = FTYP.length + MDAT_HEADER;

/** moov holding a version-0 mvhd (100 bytes of fields) with the given timescale and duration. */
function moovBox(timescale: number, duration: number): Buffer {
	const mvhd = Buffer.alloc(108);
	mvhd.writeUInt32BE(108, 0);
	mvhd.write('mvhd', 4, 'latin1');
	mvhd.writeUInt32BE(timescale, 20);
	mvhd.writeUInt32BE(duration, 24);
	mvhd.writeUInt32BE(0x00010000, 28); // rate 1.0
	mvhd.writeUInt16BE(0x0100, 32); // volume 1.0
	const head = Buffer.alloc(8);
	head.writeUInt32BE(8 + mvhd.length, 0);
	head.write('moov', 4, 'latin1');
	return Buffer.concat([head, mvhd]);
}

/** Copies the part of `bytes` (placed at file offset `at`) that falls in the chunk starting at `offset`. */
function overlay(chunk: Buffer, offset: number, bytes: Buffer, at: number): void {
	const from = Math.max(at, offset);
	const to = Math.min(at + bytes.length, offset + chunk.length);
	if (from < to) bytes.copy(chunk, from - offset, from - at, to - at);
}

/** The video of `total` bytes (at least 156), in CHUNK-sized pieces. */
export function* videoChunks(total: number): Generator<Buffer> {
	if (total < FTYP.length + MDAT_HEADER + MOOV.length)
		throw new Error(`a video needs 156+ bytes, not ${total}`);
	const seed = createHash('sha256').update('act-two-bench').digest();
	const base = Buffer.alloc(CHUNK);
	for (let i = 0; i < CHUNK; i += seed.length) seed.copy(base, i);
	const head = Buffer.alloc(FTYP.length + MDAT_HEADER);
	FTYP.copy(head, 0);
	head.writeUInt32BE(1, FTYP.length);
	head.write('mdat', FTYP.length + 4, 'latin1');
	head.writeBigUInt64BE(BigInt(total - FTYP.length - MOOV.length), FTYP.length + 8);
	const moovAt = total - MOOV.length;
	for (let offset = 0, index = 0; offset < total; offset += CHUNK, index++) {
		const chunk = Buffer.from(base.subarray(0, Math.min(CHUNK, total - offset)));
		if (chunk.length >= 4) chunk.writeUInt32BE(index, Math.min(STAMP_AT, chunk.length - 4));
		overlay(chunk, offset, head, 0);
		overlay(chunk, offset, MOOV, moovAt);
		yield chunk;
	}
}

/** Size and SHA-256 of whatever is read from `source` (a stream, a fetch body, the generator). */
export async function digest(
	source: AsyncIterable<Uint8Array> | Iterable<Uint8Array>,
): Promise<FileSpec> {
	const hash = createHash('sha256');
	let bytes = 0;
	for await (const part of source) {
		bytes += part.length;
		hash.update(part);
	}
	return { bytes, sha256: hash.digest('hex') };
}

/** The spec of the generated video of `total` bytes. */
export const videoSpec = async (total: number): Promise<FileSpec> =>
	await digest(videoChunks(total));

/** Writes the generated video to a file without holding it in memory. */
export async function writeVideo(path: string, total: number): Promise<void> {
	await pipeline(Readable.from(videoChunks(total)), createWriteStream(path));
}

/** Adds a problem for each way `got` differs from `expected`. */
export function compareFile(
	what: string,
	got: FileSpec,
	expected: FileSpec,
	problems: string[],
): void {
	if (got.bytes !== expected.bytes)
		problems.push(`${what}: ${got.bytes} bytes, the source has ${expected.bytes}`);
	if (got.sha256 !== expected.sha256)
		problems.push(`${what}: sha256 ${got.sha256} differs from the source's ${expected.sha256}`);
}
