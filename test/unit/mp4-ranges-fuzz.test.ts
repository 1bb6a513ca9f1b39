/* eslint-disable @n8n/community-nodes/no-restricted-globals -- test-only code: Node APIs are allowed here, the scanner never reads test/ */
/**
 * Seeded property test of the MP4/MOV header reader that works over byte ranges (shared/mp4.ts
 * mp4DurationFromRanges), the code that reads a stranger's file over HTTP before a create. Files are generated
 * with a known duration (ftyp, free/skip/wide padding, mdat with 32-bit, 64-bit or to-the-end sizes, moov first
 * or last, mvhd version 0 or 1 among other children), then attacked: truncated, sizes overwritten with 0, 1,
 * 2–7, 0xFFFFFFFF, 64-bit sizes up to 2^64-1, a file size that lies, random bytes. For every case:
 * - it returns (never throws) a finite duration ≥ 0 or null, after a bounded number of reads;
 * - every read asks at most 64 KiB, at an offset inside the file it was told of;
 * - it agrees with the in-memory reader (mp4DurationSeconds) on the same bytes;
 * - an untouched file gives exactly the duration it was generated with.
 * FUZZ_SEED=<n> replays another seed; a failure names the seed and the case.
 */
import { mp4DurationFromRanges, mp4DurationSeconds } from '../../nodes/ActTwo/core/mp4';
import { rng } from '../support/rng';

const SEED = Number(process.env.FUZZ_SEED ?? 20261201);
const CASES = 6000;

type Rng = ReturnType<typeof rng>;

function box(type: string, payload: Buffer, large = false): Buffer {
	const header = Buffer.alloc(large ? 16 : 8);
	if (large) {
		header.writeUInt32BE(1, 0);
		header.writeBigUInt64BE(BigInt(header.length + payload.length), 8);
	} else header.writeUInt32BE(8 + payload.length, 0);
	header.write(type, 4, 'latin1');
	return Buffer.concat([header, payload]);
}

function mvhd(r: Rng): { box: Buffer; seconds: number } {
	const timescale = r.pick([1, 600, 1000, 90000, 0xffffffff]);
	if (r.next() < 0.5) {
		const p = Buffer.alloc(100);
		const duration = r.int(0xffffffff);
		p.writeUInt32BE(timescale, 12);
		p.writeUInt32BE(duration, 16);
		return { box: box('mvhd', p), seconds: duration / timescale };
	}
	const p = Buffer.alloc(112);
	p.writeUInt8(1, 0);
	const duration = BigInt(r.int(2 ** 31)) * BigInt(r.int(2 ** 20) + 1);
	p.writeUInt32BE(timescale, 20);
	p.writeBigUInt64BE(duration, 24);
	return { box: box('mvhd', p), seconds: Number(duration) / timescale };
}

const padding = (r: Rng) =>
	box(r.pick(['free', 'skip', 'wide', 'uuid', 'udta']), Buffer.alloc(r.int(200)), r.next() < 0.2);

/** A file whose movie header says `seconds`. */
function validFile(r: Rng): { file: Buffer; seconds: number } {
	const header = mvhd(r);
	const children = [...Array.from({ length: r.int(4) }, () => padding(r))];
	children.splice(r.int(children.length + 1), 0, header.box);
	const moov = box('moov', Buffer.concat(children), r.next() < 0.2);
	const mdatPayload = Buffer.alloc(r.pick([0, 10, 5000, 70_000, 200_000]), 0xab);
	const large = r.next() < 0.3;
	const mdat = box('mdat', mdatPayload, large);
	const ftyp = box('ftyp', Buffer.from('isom\0\0\0\0isommp41', 'latin1'));
	const pads = Array.from({ length: r.int(3) }, () => padding(r));
	const moovLast = r.next() < 0.5;
	const parts = moovLast ? [ftyp, ...pads, mdat, moov] : [ftyp, moov, ...pads, mdat];
	const file = Buffer.concat(parts);
	// An mdat that is the last box may say size 0: "to the end of the file".
	if (!moovLast && r.next() < 0.3) file.writeUInt32BE(0, file.length - mdat.length);
	return { file, seconds: header.seconds };
}

/** Overwrites a size field (or any 4/8 bytes) with a hostile value. */
function attack(r: Rng, input: Buffer): Buffer {
	let file = Buffer.from(input);
	const rounds = 1 + r.int(3);
	for (let n = 0; n < rounds; n++) {
		const kind = r.int(6);
		if (kind === 0) file = file.subarray(0, r.int(file.length + 1));
		else if (kind === 1 && file.length >= 4) {
			const at = r.int(file.length - 3);
			file.writeUInt32BE(
				r.pick([0, 1, 2, 7, 8, 9, 16, 0x7fffffff, 0xffffffff, r.int(2 ** 32)]),
				at,
			);
		} else if (kind === 2 && file.length >= 8) {
			const at = r.int(file.length - 7);
			const values = [
				BigInt(0),
				BigInt(1),
				BigInt(15),
				BigInt(16),
				BigInt(2) ** BigInt(53) + BigInt(1),
				BigInt(2) ** BigInt(63),
				BigInt(2) ** BigInt(64) - BigInt(1),
				BigInt(r.int(2 ** 30)),
			];
			file.writeBigUInt64BE(r.pick(values), at);
		} else if (kind === 3) {
			// Find a box type and break the size in front of it.
			const types = ['moov', 'mdat', 'mvhd', 'ftyp', 'free'];
			const at = file.indexOf(r.pick(types), 0, 'latin1');
			if (at >= 4) file.writeUInt32BE(r.pick([0, 1, 3, 0xffffffff, file.length * 2]), at - 4);
		} else if (kind === 4) {
			for (let i = 0; i < 1 + r.int(16); i++) file[r.int(file.length || 1)] = r.int(256);
		} else {
			file = Buffer.from(Array.from({ length: r.int(300) }, () => r.int(256)));
		}
	}
	return file;
}

async function readByRanges(file: Buffer, claimedSize = file.length) {
	const reads: Array<{ start: number; length: number }> = [];
	const seconds = await mp4DurationFromRanges(
		async (start, length) => {
			reads.push({ start, length });
			if (reads.length > 1000) throw new Error('runaway reads');
			return file.subarray(start, start + length);
		},
		() => claimedSize,
	);
	return { seconds, reads };
}

describe('mp4DurationFromRanges over generated and hostile files', () => {
	test(`valid files give their duration (seed ${SEED})`, async () => {
		const r = rng(SEED);
		for (let n = 0; n < CASES / 3; n++) {
			const { file, seconds } = validFile(r);
			const got = await readByRanges(file);
			const where = `seed ${SEED} case ${n} (${file.length} bytes)`;
			expect({ where, seconds: got.seconds }).toEqual({ where, seconds });
			// The head, then at most one jump to the moov and one to the mvhd payload.
			expect({ where, reads: got.reads.length <= 4 }).toEqual({ where, reads: true });
		}
	});

	test(`hostile bytes: bounded, total, and the same answer as the in-memory reader (seed ${SEED})`, async () => {
		const r = rng(SEED + 1);
		for (let n = 0; n < CASES; n++) {
			const file = attack(r, validFile(r).file);
			const lie = r.next() < 0.15;
			const claimed = lie ? r.pick([file.length * 3, Number.MAX_SAFE_INTEGER]) : file.length;
			const where = `seed ${SEED + 1} case ${n}: ${file.subarray(0, 48).toString('hex')}…`;
			const got = await readByRanges(file, claimed).catch((error: Error) => error);
			if (got instanceof Error) throw new Error(`${where} threw ${got.message}`);
			const { seconds, reads } = got;
			if (seconds !== null && !(Number.isFinite(seconds) && seconds >= 0))
				throw new Error(`${where} gave ${seconds}`);
			// Two levels of at most 64 siblings, the first window and the mvhd payload.
			if (reads.length > 64 * 2 + 2) throw new Error(`${where} made ${reads.length} reads`);
			for (const read of reads)
				if (read.length > 64 * 1024 || read.start < 0 || (read.start > 0 && read.start >= claimed))
					throw new Error(`${where} read ${JSON.stringify(read)} of ${claimed}`);
			if (!lie && seconds !== mp4DurationSeconds(file))
				throw new Error(`${where}: ${seconds} by ranges, ${mp4DurationSeconds(file)} in memory`);
		}
	});

	test('a chain of tiny boxes is given up after 64 siblings, not walked to the end', async () => {
		const tiny = Buffer.alloc(8);
		tiny.writeUInt32BE(8, 0);
		tiny.write('free', 4, 'latin1');
		const file = Buffer.concat([
			...Array.from({ length: 100_000 }, () => tiny),
			box('moov', Buffer.alloc(0)),
		]);
		const { seconds, reads } = await readByRanges(file);
		expect(seconds).toBeNull();
		expect(reads.length).toBeLessThanOrEqual(2);
	});

	test('a moov claiming 2^63 bytes, or an mvhd of 4 GB, is not read', async () => {
		const huge = Buffer.alloc(16);
		huge.writeUInt32BE(1, 0);
		huge.write('moov', 4, 'latin1');
		huge.writeBigUInt64BE(BigInt(2) ** BigInt(63), 8);
		expect((await readByRanges(huge, Number.MAX_SAFE_INTEGER)).seconds).toBeNull();
		const bigMvhd = Buffer.alloc(1000);
		bigMvhd.writeUInt32BE(0xffffffff, 8);
		bigMvhd.write('mvhd', 12, 'latin1');
		bigMvhd.writeUInt32BE(0, 0); // moov runs to the (claimed) end of the file
		bigMvhd.write('moov', 4, 'latin1');
		const { seconds, reads } = await readByRanges(bigMvhd, Number.MAX_SAFE_INTEGER);
		expect(seconds).toBeNull();
		expect(reads.every((r) => r.length <= 64 * 1024)).toBe(true);
	});
});
