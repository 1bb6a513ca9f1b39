/**
 * Reads the duration of an MP4 / QuickTime file from its moov/mvhd box, without decoding anything.
 * Returns null when the bytes are not an ISO-BMFF file or the box is missing (then the provider decides).
 */
export function mp4DurationSeconds(data: Buffer): number | null {
	const moov = findBox(data, 0, data.length, 'moov');
	return moov ? durationFromMoov(data.subarray(moov.start, moov.end)) : null;
}

/** The moov box is metadata only (a few hundred KB even for long videos); a larger one is not read. */
const MAX_MOOV_BYTES = 32 * 1024 * 1024;

/**
 * mp4DurationSeconds for a file read as a stream: top-level box headers are parsed as they pass, the media
 * data is skipped unread, and only the moov box is kept. Stops reading once moov is found.
 */
export async function mp4DurationFromStream(chunks: AsyncIterable<Buffer>): Promise<number | null> {
	let head: Buffer = Buffer.alloc(0);
	let skip = 0;
	for await (const chunk of chunks) {
		if (skip >= chunk.length) {
			skip -= chunk.length;
			continue;
		}
		const rest = chunk.subarray(skip);
		skip = 0;
		head = head.length > 0 ? Buffer.concat([head, rest]) : rest;
		for (;;) {
			const box = boxHeader(head);
			if (box === 'incomplete') break;
			if (box === null || box.size === 0) return null;
			if (box.type === 'moov') {
				if (box.size > MAX_MOOV_BYTES) return null;
				if (head.length < box.size) break;
				return durationFromMoov(head.subarray(box.header, box.size));
			}
			if (head.length >= box.size) {
				head = head.subarray(box.size);
				continue;
			}
			skip = box.size - head.length;
			head = Buffer.alloc(0);
			break;
		}
	}
	return null;
}

/**
 * The box header at the start of `data`. Size 0 means the box runs to the end of its parent; null when the bytes
 * cannot be a box header (a size below the header's, a 64-bit size beyond what a file can have).
 */
function boxHeader(
	data: Buffer,
): { type: string; size: number; header: number } | 'incomplete' | null {
	if (data.length < 8) return 'incomplete';
	const type = data.toString('latin1', 4, 8);
	let size = data.readUInt32BE(0);
	let header = 8;
	if (size === 1) {
		if (data.length < 16) return 'incomplete';
		const large = data.readBigUInt64BE(8);
		if (large > BigInt(Number.MAX_SAFE_INTEGER)) return null;
		size = Number(large);
		header = 16;
	}
	return size !== 0 && size < header ? null : { type, size, header };
}

/** A box at `offset` whose parent ends at `to`, with its size resolved; null when it does not fit in the parent. */
function fitBox(
	box: ReturnType<typeof boxHeader>,
	offset: number,
	to: number,
): { type: string; start: number; end: number } | null {
	if (box === null || box === 'incomplete') return null;
	const size = box.size === 0 ? to - offset : box.size;
	if (size < box.header || offset + size > to) return null;
	return { type: box.type, start: offset + box.header, end: offset + size };
}

function durationFromMoov(data: Buffer): number | null {
	const mvhd = findBox(data, 0, data.length, 'mvhd');
	return mvhd ? durationFromMvhd(data.subarray(mvhd.start, mvhd.end)) : null;
}

/** The movie duration from an mvhd box's payload (version 0: 32-bit fields, version 1: 64-bit). */
function durationFromMvhd(data: Buffer): number | null {
	if (data.length < 4) return null;
	const version = data.readUInt8(0);
	let timescale: number;
	let duration: number;
	if (version === 1) {
		if (data.length < 32) return null;
		timescale = data.readUInt32BE(20);
		duration = Number(data.readBigUInt64BE(24));
	} else {
		if (data.length < 20) return null;
		timescale = data.readUInt32BE(12);
		duration = data.readUInt32BE(16);
	}
	return timescale > 0 ? duration / timescale : null;
}

/** Walks sibling boxes in [from, to) and returns the payload range of the first box of the given type. */
function findBox(
	data: Buffer,
	from: number,
	to: number,
	type: string,
): { start: number; end: number } | null {
	let offset = from;
	while (offset + 8 <= to) {
		const box = fitBox(boxHeader(data.subarray(offset, Math.min(to, offset + 16))), offset, to);
		if (!box) return null;
		if (box.type === type) return { start: box.start, end: box.end };
		offset = box.end;
	}
	return null;
}

/** Reads up to `length` bytes of a remote file from `start`; fewer (or none) past its end. */
export type ReadRange = (start: number, length: number) => Promise<Buffer>;

/** Bytes asked for per read: the head of a file (ftyp, moov when fast-started) or a box header and mvhd. */
const RANGE_WINDOW = 64 * 1024;
/** Sibling boxes looked at per level before giving up (real files have a handful at the top level). */
const MAX_SIBLINGS = 64;
/** An mvhd payload is 96 (version 0) or 108 (version 1) bytes; a larger one is not believed. */
const MAX_MVHD_BYTES = 1024;

/**
 * mp4DurationSeconds for a file read by byte ranges (an HTTP URL): walks the top-level box headers from the
 * start and jumps over each box by its size, so a moov at the end (a file not "fast-started") costs one more
 * read, never the media data. `fileSize` (known once the first read answered, over HTTP from Content-Range)
 * bounds every jump. Returns null for bytes that are not an ISO-BMFF file or hold no movie header. Every read
 * goes through `read`, which enforces the byte and time budget.
 */
export async function mp4DurationFromRanges(
	read: ReadRange,
	fileSize: () => number,
): Promise<number | null> {
	const file = new RangeWindow(read);
	await file.bytes(0, 8);
	const moov = await findBoxByRanges(file, 0, fileSize(), 'moov');
	if (!moov) return null;
	const mvhd = await findBoxByRanges(file, moov.start, moov.end, 'mvhd');
	if (!mvhd || mvhd.end - mvhd.start > MAX_MVHD_BYTES) return null;
	const payload = await file.bytes(mvhd.start, mvhd.end - mvhd.start);
	return payload ? durationFromMvhd(payload) : null;
}

/** The last window read, so headers that sit close together cost one read. */
class RangeWindow {
	private at = 0;
	private data: Buffer = Buffer.alloc(0);

	constructor(private readonly read: ReadRange) {}

	/** Exactly `length` bytes at `start`, or null when the file ends first. */
	async bytes(start: number, length: number): Promise<Buffer | null> {
		const inWindow = start >= this.at && start + length <= this.at + this.data.length;
		if (!inWindow) {
			this.at = start;
			this.data = await this.read(start, Math.max(length, RANGE_WINDOW));
		}
		const from = start - this.at;
		return this.data.length - from >= length ? this.data.subarray(from, from + length) : null;
	}
}

/** findBox over ranges: sibling boxes in [from, to), the payload range of the first of the given type. */
async function findBoxByRanges(
	file: RangeWindow,
	from: number,
	to: number,
	type: string,
): Promise<{ start: number; end: number } | null> {
	let offset = from;
	for (let n = 0; n < MAX_SIBLINGS && offset + 8 <= to; n++) {
		const head = await file.bytes(offset, Math.min(16, to - offset));
		if (!head) return null;
		const box = fitBox(boxHeader(head), offset, to);
		if (!box) return null;
		if (box.type === type) return { start: box.start, end: box.end };
		offset = box.end;
	}
	return null;
}
