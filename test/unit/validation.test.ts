/* eslint-disable @n8n/community-nodes/no-restricted-imports, @n8n/community-nodes/no-restricted-globals -- test-only code: Node APIs are allowed here, the scanner never reads test/ */
import { readFileSync } from 'fs';
import { join } from 'path';

import { ADAPTERS } from '../../nodes/ActTwo/providers';
import { mp4DurationFromStream, mp4DurationSeconds } from '../../nodes/ActTwo/core/mp4';
import {
	drivingDurationProblem,
	validateCreateOptions,
} from '../../nodes/ActTwo/actions/helpers/validation';

const asset = (...p: string[]) => readFileSync(join(__dirname, '..', '..', ...p));

describe('create options', () => {
	it('accepts the documented ranges', () => {
		expect(
			validateCreateOptions(ADAPTERS.runway, 'act_two', {
				ratio: '1584:672',
				expressionIntensity: 5,
				seed: 4294967295,
				publicFigureThreshold: 'low',
			}).ok,
		).toBe(true);
		expect(
			validateCreateOptions(ADAPTERS.useapi, 'act_two', {
				seed: 2147483647,
				maxJobs: 10,
				replyRef: 'x'.repeat(1024),
			}).ok,
		).toBe(true);
	});
	it('names the field and the allowed values', () => {
		const r = validateCreateOptions(ADAPTERS.runway, 'act_two', {
			ratio: '16:9',
			expressionIntensity: 7,
			seed: -1,
		});
		expect(r.ok).toBe(false);
		const problems = (r as { problems: string[] }).problems.join('\n');
		expect(problems).toMatch(/Ratio must be one of 1280:720, 720:1280/);
		expect(problems).toMatch(/Expression Intensity must be a whole number from 1 to 5/);
		expect(problems).toMatch(/Seed must be a whole number from 0–4294967295/);
	});
	it('applies provider-specific limits', () => {
		expect(validateCreateOptions(ADAPTERS.useapi, 'act_two', { seed: 0 }).ok).toBe(false);
		expect(validateCreateOptions(ADAPTERS.useapi, 'act_two', { callbackUrl: 'ftp://x' }).ok).toBe(
			false,
		);
		expect(validateCreateOptions(ADAPTERS.comet, 'act_one', { ratio: '720:1280' })).toMatchObject({
			ok: false,
		});
	});
	it('ignores empty values', () => {
		expect(
			validateCreateOptions(ADAPTERS.runway, 'act_two', { callbackUrl: '', replyRef: '' }).ok,
		).toBe(true);
	});
});

/** Splits a file into chunks of the given sizes (cycled), as a stream would deliver it. */
async function* inChunks(data: Buffer, sizes: number[]): AsyncGenerator<Buffer> {
	for (let at = 0, n = 0; at < data.length; n++) {
		const size = sizes[n % sizes.length];
		yield data.subarray(at, at + size);
		at += size;
	}
}

describe('driving video duration read from a stream', () => {
	const driving = asset('examples', 'assets', 'driving.mp4');
	const ftypEnd = driving.readUInt32BE(0);
	const free = (bytes: number) => {
		const box = Buffer.alloc(bytes);
		box.writeUInt32BE(bytes, 0);
		box.write('free', 4, 'latin1');
		return box;
	};

	it('gives what the whole-buffer reader gives, whatever the chunk sizes', async () => {
		for (const file of [
			driving,
			asset('test', 'fixtures', 'too-short.mp4'),
			asset('test', 'fixtures', 'reference.mov'),
		]) {
			const expected = mp4DurationSeconds(file);
			expect(expected).not.toBeNull();
			for (const sizes of [[1], [7, 3, 1000], [65536], [file.length]])
				expect(await mp4DurationFromStream(inChunks(file, sizes))).toBe(expected);
		}
	});
	it('skips a large box before moov and stops reading once moov is read', async () => {
		const tail = 8 * 1024 * 1024;
		const big = Buffer.concat([
			driving.subarray(0, ftypEnd),
			free(tail),
			driving.subarray(ftypEnd),
			free(tail),
		]);
		let read = 0;
		async function* counted(): AsyncGenerator<Buffer> {
			for await (const chunk of inChunks(big, [64 * 1024])) {
				read += chunk.length;
				yield chunk;
			}
		}
		expect(await mp4DurationFromStream(counted())).toBe(mp4DurationSeconds(driving));
		expect(read).toBeGreaterThan(tail);
		expect(read).toBeLessThan(big.length - tail + 64 * 1024);
	});
	it('returns null for non-MP4 bytes, a truncated file and a box that claims to run to the end', async () => {
		expect(
			await mp4DurationFromStream(inChunks(Buffer.from('not a video at all'), [5])),
		).toBeNull();
		expect(
			await mp4DurationFromStream(inChunks(driving.subarray(0, ftypEnd + 100), [16])),
		).toBeNull();
		const toEnd = Buffer.concat([
			driving.subarray(0, ftypEnd),
			Buffer.from([0, 0, 0, 0]),
			Buffer.from('mdat', 'latin1'),
			Buffer.alloc(64),
		]);
		expect(await mp4DurationFromStream(inChunks(toEnd, [3]))).toBeNull();
	});
});

describe('driving video duration from the MP4/MOV header', () => {
	it('reads the shipped driving video and the QuickTime fixture', () => {
		const d = mp4DurationSeconds(asset('examples', 'assets', 'driving.mp4'));
		expect(d).toBeGreaterThanOrEqual(3);
		expect(d).toBeLessThanOrEqual(30);
		expect(drivingDurationProblem(d)).toBeNull();
	});
	it('rejects a 2 s clip with the allowed range in the message', () => {
		const d = mp4DurationSeconds(asset('test', 'fixtures', 'too-short.mp4'));
		expect(d).toBeLessThan(3);
		expect(drivingDurationProblem(d)).toMatch(/Driving Video must last 3–30 seconds/);
	});
	it('returns null for non-MP4 bytes and truncated files', () => {
		expect(mp4DurationSeconds(Buffer.from('not a video at all'))).toBeNull();
		expect(
			mp4DurationSeconds(asset('examples', 'assets', 'driving.mp4').subarray(0, 64)),
		).toBeNull();
		expect(mp4DurationSeconds(asset('examples', 'assets', 'character.png'))).toBeNull();
	});
	it('reads a version-1 mvhd (64-bit duration)', () => {
		const mvhd = Buffer.alloc(8 + 32);
		mvhd.writeUInt32BE(40, 0);
		mvhd.write('mvhd', 4, 'latin1');
		mvhd.writeUInt8(1, 8);
		mvhd.writeUInt32BE(1000, 8 + 20);
		mvhd.writeBigUInt64BE(BigInt(12_500), 8 + 24);
		const moov = Buffer.concat([Buffer.from([0, 0, 0, 48]), Buffer.from('moov', 'latin1'), mvhd]);
		expect(mp4DurationSeconds(moov)).toBe(12.5);
	});
});
