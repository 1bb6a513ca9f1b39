/**
 * Reads the duration of an MP4 / QuickTime file from its moov/mvhd box, without decoding anything.
 * Returns null when the bytes are not an ISO-BMFF file or the box is missing (then the provider decides).
 */
export function mp4DurationSeconds(data: Buffer): number | null {
	const moov = findBox(data, 0, data.length, 'moov');
	if (!moov) return null;
	const mvhd = findBox(data, moov.start, moov.end, 'mvhd');
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
