/** What the top-level boxes of an ISO-BMFF file (MP4 / QuickTime MOV) tell about it. */
export interface Mp4Info {
	/** 'mp4' for ISO brands, 'mov' for a QuickTime ('qt  ' brand or no ftyp before moov). */
	container: 'mp4' | 'mov';
	majorBrand: string | null;
	timescale: number;
	/** Seconds, from the movie header (mvhd). */
	durationSeconds: number;
}

interface Box {
	type: string;
	start: number;
	headerSize: number;
	end: number;
}

function readBoxes(buf: Buffer, start: number, end: number): Box[] {
	const boxes: Box[] = [];
	let pos = start;
	while (pos + 8 <= end) {
		let size = buf.readUInt32BE(pos);
		const type = buf.toString('latin1', pos + 4, pos + 8);
		let headerSize = 8;
		if (size === 1) {
			if (pos + 16 > end) break;
			const big = buf.readBigUInt64BE(pos + 8);
			if (big > BigInt(Number.MAX_SAFE_INTEGER)) break;
			size = Number(big);
			headerSize = 16;
		} else if (size === 0) {
			size = end - pos;
		}
		if (size < headerSize || pos + size > end) {
			// A truncated last box: keep what is readable.
			boxes.push({ type, start: pos, headerSize, end });
			break;
		}
		boxes.push({ type, start: pos, headerSize, end: pos + size });
		pos += size;
	}
	return boxes;
}

/** True when the bytes start like an ISO-BMFF file (an ftyp, moov, mdat, free, skip or wide box first). */
export function looksLikeIsoBmff(buf: Buffer): boolean {
	if (buf.length < 8) return false;
	const type = buf.toString('latin1', 4, 8);
	return ['ftyp', 'moov', 'mdat', 'free', 'skip', 'wide', 'pnot'].includes(type);
}

/**
 * Reads the movie duration from moov/mvhd. Returns null when the bytes are not an MP4/MOV or hold no
 * readable movie header.
 */
export function parseMp4(buf: Buffer): Mp4Info | null {
	if (!looksLikeIsoBmff(buf)) return null;
	const top = readBoxes(buf, 0, buf.length);
	const ftyp = top.find((b) => b.type === 'ftyp');
	const majorBrand =
		ftyp && ftyp.end - ftyp.start >= 12
			? buf.toString('latin1', ftyp.start + 8, ftyp.start + 12)
			: null;
	const moov = top.find((b) => b.type === 'moov');
	if (!moov) return null;
	const mvhd = readBoxes(buf, moov.start + moov.headerSize, moov.end).find(
		(b) => b.type === 'mvhd',
	);
	if (!mvhd) return null;
	const p = mvhd.start + mvhd.headerSize;
	if (p + 4 > mvhd.end) return null;
	const version = buf.readUInt8(p);
	let timescale: number;
	let duration: number;
	if (version === 1) {
		if (p + 32 > mvhd.end) return null;
		timescale = buf.readUInt32BE(p + 20);
		duration = Number(buf.readBigUInt64BE(p + 24));
	} else {
		if (p + 20 > mvhd.end) return null;
		timescale = buf.readUInt32BE(p + 12);
		duration = buf.readUInt32BE(p + 16);
	}
	if (!timescale) return null;
	return {
		container: majorBrand === 'qt  ' || !ftyp ? 'mov' : 'mp4',
		majorBrand,
		timescale,
		durationSeconds: duration / timescale,
	};
}
