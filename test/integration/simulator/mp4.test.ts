import { parseMp4 } from '../../simulator/mp4';
import { DRIVING, MOV, OUTPUT, TOO_SHORT, CHARACTER } from './helpers';

describe('mp4 movie-header parser', () => {
	it('reads the duration of the fixtures', () => {
		expect(parseMp4(DRIVING)).toMatchObject({ container: 'mp4', durationSeconds: 5 });
		expect(parseMp4(OUTPUT)?.durationSeconds).toBeCloseTo(5, 1);
		expect(parseMp4(TOO_SHORT)?.durationSeconds).toBeCloseTo(2, 1);
		expect(parseMp4(MOV)).toMatchObject({ container: 'mov', majorBrand: 'qt  ' });
		expect(parseMp4(MOV)?.durationSeconds).toBeCloseTo(4, 1);
	});

	it('returns null for non-MP4 bytes, a truncated file and an mvhd-less file', () => {
		expect(parseMp4(CHARACTER)).toBeNull();
		expect(parseMp4(Buffer.from('hello world, not a video'))).toBeNull();
		expect(parseMp4(DRIVING.subarray(0, 40))).toBeNull();
		const ftypOnly = Buffer.alloc(16);
		ftypOnly.writeUInt32BE(16, 0);
		ftypOnly.write('ftypisom', 4, 'latin1');
		expect(parseMp4(ftypOnly)).toBeNull();
	});

	it('reads a version 1 mvhd and a 64-bit box size', () => {
		const mvhd = Buffer.alloc(8 + 4 + 8 + 8 + 4 + 8);
		mvhd.writeUInt32BE(mvhd.length, 0);
		mvhd.write('mvhd', 4, 'latin1');
		mvhd.writeUInt8(1, 8);
		mvhd.writeUInt32BE(1000, 8 + 4 + 16);
		mvhd.writeBigUInt64BE(BigInt(12345), 8 + 4 + 16 + 4);
		const moov = Buffer.alloc(16);
		moov.writeUInt32BE(1, 0);
		moov.write('moov', 4, 'latin1');
		moov.writeBigUInt64BE(BigInt(16 + mvhd.length), 8);
		expect(parseMp4(Buffer.concat([moov, mvhd]))).toMatchObject({
			container: 'mov',
			timescale: 1000,
			durationSeconds: 12.345,
		});
	});
});
