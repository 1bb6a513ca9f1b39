/* eslint-disable @n8n/community-nodes/no-restricted-imports, @n8n/community-nodes/no-restricted-globals -- test-only code: Node APIs are allowed here, the scanner never reads test/ */
/**
 * Seeded fuzz suite for the streamed multipart/form-data body of Runway uploads (transport/multipart.ts).
 * Random fields (names and values with quotes, CR/LF, non-ASCII, dashes), random file bytes (with CRLF and
 * "--" runs) handed over as one Buffer or as a stream in random chunks. Each body is checked the way the
 * storage server reads it (the simulator's multipart parser): same fields, same file; its length is the
 * Content-Length announced before anything was read; a second attempt is the same bytes; a file that gives
 * more or fewer bytes than announced fails the body instead of sending a short or long one.
 * FUZZ_SEED=<n> replays another seed; a failure names the seed and the case.
 */
import { Readable } from 'node:stream';

import { isBlobLike, multipartBody } from '../../nodes/ActTwo/core/multipart';
import { multipartBoundary, parseMultipart } from '../simulator/multipart';
import { rng } from '../support/rng';

const SEED = Number(process.env.FUZZ_SEED ?? 20261201);
const CASES = 250;

type Rng = ReturnType<typeof rng>;

const PIECES = [
	'a',
	'Z',
	'9',
	'-',
	'--',
	'"',
	'\r',
	'\n',
	'\r\n',
	' ',
	';',
	'=',
	'é',
	'東',
	'🎬',
	'%22',
];
const text = (r: Rng, max: number) =>
	Array.from({ length: r.int(max) }, () => PIECES[r.int(PIECES.length)]).join('');

function fileBytes(r: Rng): Buffer {
	const data = Buffer.alloc(r.int(4) === 0 ? r.int(16) : r.int(150_000));
	for (let i = 0; i + 4 <= data.length; i += 4) data.writeUInt32LE((r.next() * 2 ** 32) >>> 0, i);
	for (let i = data.length - (data.length % 4); i < data.length; i++) data[i] = r.int(256);
	for (let k = r.int(5); k > 0 && data.length > 8; k--)
		data.write(r.int(2) ? '\r\n--' : '--\r\n', r.int(data.length - 4), 'latin1');
	return data;
}

/** The bytes as a stream in random chunks, or as one Buffer; `opened` counts the opens. */
function source(r: Rng, data: Buffer) {
	const asStream = r.int(3) > 0;
	const cuts: number[] = [];
	for (let at = 0; at < data.length; at += 1 + r.int(70_000)) cuts.push(at);
	const counter = { opened: 0 };
	const open = async () => {
		counter.opened++;
		if (!asStream) return data;
		return Readable.from(cuts.map((c, i) => data.subarray(c, cuts[i + 1] ?? data.length)));
	};
	return { open, counter };
}

async function collect(body: { stream(): AsyncIterable<Buffer> }): Promise<Buffer> {
	const chunks: Buffer[] = [];
	for await (const chunk of body.stream()) chunks.push(Buffer.from(chunk));
	return Buffer.concat(chunks);
}

/** How a field name or file name appears in the part header (WHATWG escaping of ", CR, LF). */
const escaped = (s: string) => s.replace(/"/g, '%22').replace(/\r/g, '%0D').replace(/\n/g, '%0A');

describe(`streamed multipart body (seed ${SEED})`, () => {
	it('is read back field for field and byte for byte, at its announced length, the same on every attempt', async () => {
		const r = rng(SEED);
		for (let n = 0; n < CASES; n++) {
			const where = `seed ${SEED}, case ${n}`;
			const fields: Record<string, string> = {};
			for (let k = r.int(9); k > 0; k--) fields[`f${k}${text(r, 6)}`] = text(r, 40);
			const data = fileBytes(r);
			const fileName = `${text(r, 8)}.mp4`;
			const { open, counter } = source(r, data);
			const form = multipartBody(fields, {
				fieldName: 'file',
				fileName,
				contentType: 'video/mp4',
				size: data.length,
				open,
			});
			expect({ where, opened: counter.opened }).toEqual({ where, opened: 0 });
			const first = form.body();
			expect(isBlobLike(first)).toBe(true);
			expect(first.size).toBe(form.contentLength);
			expect(first.type).toBe(form.contentType);
			const sent = await collect(first);
			expect({ where, bytes: sent.length }).toEqual({ where, bytes: form.contentLength });
			const again = await collect(form.body());
			expect({ where, same: again.equals(sent) }).toEqual({ where, same: true });
			expect({ where, opened: counter.opened }).toEqual({ where, opened: 2 });

			const boundary = multipartBoundary(form.contentType);
			expect(boundary).not.toBeNull();
			const parts = parseMultipart(sent, boundary!);
			const names = Object.keys(fields);
			expect({ where, parts: parts.map((p) => p.name) }).toEqual({
				where,
				parts: [...names.map(escaped), 'file'],
			});
			names.forEach((name, i) => {
				expect({
					where,
					name,
					value: parts[i].data.toString('utf8'),
					file: parts[i].filename,
				}).toEqual({
					where,
					name,
					value: fields[name],
					file: null,
				});
			});
			const file = parts[parts.length - 1];
			expect({ where, filename: file.filename, type: file.contentType }).toEqual({
				where,
				filename: escaped(fileName),
				type: 'video/mp4',
			});
			expect({ where, same: file.data.equals(data) }).toEqual({ where, same: true });
		}
	});

	it.each([
		['stream', 'fewer', -1],
		['stream', 'more', 1],
		['Buffer', 'fewer', -1],
		['Buffer', 'more', 1],
	] as const)('a %s giving %s bytes than announced fails the body', async (kind, _, delta) => {
		const data = Buffer.alloc(100_000, 7);
		const form = multipartBody(
			{ key: 'k' },
			{
				fieldName: 'file',
				fileName: 'a.mp4',
				contentType: 'video/mp4',
				size: data.length - delta,
				open: async () =>
					kind === 'Buffer'
						? data
						: Readable.from([data.subarray(0, 60_000), data.subarray(60_000)]),
			},
		);
		await expect(collect(form.body())).rejects.toThrow(/gave .*\d+ bytes, not the \d+ announced/);
	});
});
