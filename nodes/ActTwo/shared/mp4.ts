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
			if (box === null) return null;
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

/** A top-level box header at the start of `data`; null when it is not one (or runs to the end of the file). */
function boxHeader(
	data: Buffer,
): { type: string; size: number; header: number } | 'incomplete' | null {
	if (data.length < 8) return 'incomplete';
	const type = data.toString('latin1', 4, 8);
	let size = data.readUInt32BE(0);
	let header = 8;
	if (size === 1) {
		if (data.length < 16) return 'incomplete';
		size = Number(data.readBigUInt64BE(8));
		header = 16;
	}
	return size < header ? null : { type, size, header };
}

function durationFromMoov(data: Buffer): number | null {
	const mvhd = findBox(data, 0, data.length, 'mvhd');
	if (!mvhd) return null;
	const p = mvhd.start;
	if (p + 4 > data.length) return null;
	const version = data.readUInt8(p);
	let timescale: number;
	let duration: number;
	if (version === 1) {
		if (p + 32 > data.length) return null;
		timescale = data.readUInt32BE(p + 20);
		duration = Number(data.readBigUInt64BE(p + 24));
	} else {
		if (p + 20 > data.length) return null;
		timescale = data.readUInt32BE(p + 12);
		duration = data.readUInt32BE(p + 16);
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
		let size = data.readUInt32BE(offset);
		const boxType = data.toString('latin1', offset + 4, offset + 8);
		let header = 8;
		if (size === 1) {
			if (offset + 16 > to) return null;
			size = Number(data.readBigUInt64BE(offset + 8));
			header = 16;
		} else if (size === 0) {
			size = to - offset;
		}
		if (size < header || offset + size > to) return null;
		if (boxType === type) return { start: offset + header, end: offset + size };
		offset += size;
	}
	return null;
}
