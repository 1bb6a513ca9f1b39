/**
 * Test-only media hosts on loopback, for input URLs: `/media/<host>/<file>`. Not a provider: these stand for
 * the places users keep their videos (S3, a CDN, a small web server), with the behaviours the node's
 * preflight must survive. Hosts:
 * - `ranges`    answers GET/HEAD with Content-Type, Content-Length and single byte ranges (like /static/);
 * - `noranges`  ignores Range: every GET gets 200 and the whole file;
 * - `slow`      holds every range request 8 s before answering (HEAD and plain GET answer at once);
 * - `trickle`   answers range requests at once but sends the body 512 bytes every 250 ms;
 * - `stall`     answers range requests' headers at once, then sends no body for 8 s;
 * - `refuse`    closes the connection of every range request (HEAD and plain GET answer);
 * - `redirect`  answers everything with 302 to the same file on `ranges`;
 * - `nohead`    answers HEAD with 405;
 * - `octet`     says Content-Type application/octet-stream;
 * - `nolength`  answers HEAD without Content-Length.
 * Files: anything /static/ serves, or a generated clip `clip-<seconds>s-<start|end>[-<bytes>].mp4`: an ftyp,
 * then the moov (with its mvhd saying <seconds>) before or after an mdat that fills the file to <bytes>
 * (default 300 KiB, so a moov at the end lies beyond a reader's first 64 KiB); or `junk-<bytes>.mp4`, bytes
 * that are no MP4 at all, served as video/mp4.
 */
import { contentTypeFor, findStatic, readCached, serveBytes } from './files';
import type { Ctx } from './http';
import { sleep } from './http';

const FTYP = Buffer.from('00000018667479706d703432000000006d70343269736f6d', 'hex');

function moovBox(seconds: number): Buffer {
	const mvhd = Buffer.alloc(108);
	mvhd.writeUInt32BE(108, 0);
	mvhd.write('mvhd', 4, 'latin1');
	mvhd.writeUInt32BE(1000, 20);
	mvhd.writeUInt32BE(Math.round(seconds * 1000), 24);
	mvhd.writeUInt32BE(0x00010000, 28);
	mvhd.writeUInt16BE(0x0100, 32);
	const head = Buffer.alloc(8);
	head.writeUInt32BE(8 + mvhd.length, 0);
	head.write('moov', 4, 'latin1');
	return Buffer.concat([head, mvhd]);
}

const clips = new Map<string, Buffer>();

/** The generated clip a name describes, or null. */
export function generatedClip(name: string): Buffer | null {
	const junk = /^junk-(\d+)\.mp4$/.exec(name);
	if (junk) return Buffer.alloc(Number(junk[1]), 'not a video, ');
	const m = /^clip-(\d+(?:\.\d+)?)s-(start|end)(?:-(\d+))?\.mp4$/.exec(name);
	if (!m) return null;
	let clip = clips.get(name);
	if (!clip) {
		const moov = moovBox(Number(m[1]));
		const total = Math.max(Number(m[3] ?? 300 * 1024), FTYP.length + moov.length + 8);
		const mdat = Buffer.alloc(total - FTYP.length - moov.length);
		mdat.writeUInt32BE(mdat.length, 0);
		mdat.write('mdat', 4, 'latin1');
		for (let i = 8; i < mdat.length; i += 4096) mdat.writeUInt8(i & 0xff, i);
		clip = Buffer.concat(m[2] === 'start' ? [FTYP, moov, mdat] : [FTYP, mdat, moov]);
		clips.set(name, clip);
	}
	return clip;
}

export async function handleMediaHost(ctx: Ctx, pathname: string): Promise<void> {
	ctx.record.provider = 'files';
	const m = /^\/media\/([a-z]+)\/([^/]+)$/.exec(pathname);
	const name = m ? decodeURIComponent(m[2]) : '';
	const staticPath = m ? findStatic(name) : null;
	const data = generatedClip(name) ?? (staticPath ? readCached(staticPath) : null);
	if (!m || !data) {
		ctx.send(404, { error: 'Not found' });
		return;
	}
	if (ctx.method !== 'GET' && ctx.method !== 'HEAD') {
		ctx.send(405, { error: 'Method not allowed' });
		return;
	}
	const type = contentTypeFor(name);
	const ranged = ctx.method === 'GET' && ctx.header('range') !== undefined;
	const head = ctx.method === 'HEAD';
	switch (m[1]) {
		case 'ranges':
			serveBytes(ctx, data, type);
			return;
		case 'noranges':
			ctx.sendRaw(200, data, { 'content-type': type }, head);
			return;
		case 'slow':
			if (ranged) await sleep(8000);
			if (!ctx.res.destroyed) serveBytes(ctx, data, type);
			return;
		case 'trickle':
			if (ranged) await trickle(ctx, data, type);
			else serveBytes(ctx, data, type);
			return;
		case 'stall':
			if (ranged) {
				ctx.answered = true;
				ctx.record.status = 206;
				ctx.res.writeHead(206, {
					'content-type': type,
					'content-length': '65536',
					'content-range': `bytes 0-65535/${data.length}`,
				});
				ctx.res.flushHeaders();
				await sleep(8000);
				ctx.res.destroy();
			} else serveBytes(ctx, data, type);
			return;
		case 'refuse':
			if (ranged) {
				ctx.record.status = null;
				ctx.req.socket.destroy();
			} else serveBytes(ctx, data, type);
			return;
		case 'redirect':
			ctx.sendRaw(302, '', { location: `/media/ranges/${m[2]}` });
			return;
		case 'nohead':
			if (head) ctx.send(405, { error: 'Method not allowed' });
			else serveBytes(ctx, data, type);
			return;
		case 'octet':
			serveBytes(ctx, data, 'application/octet-stream');
			return;
		case 'nolength':
			if (head) {
				ctx.answered = true;
				ctx.record.status = 200;
				ctx.res.writeHead(200, { 'content-type': type, 'transfer-encoding': 'chunked' });
				ctx.res.end();
			} else serveBytes(ctx, data, type);
			return;
		default:
			ctx.send(404, { error: 'No such test host: ' + m[1] });
	}
}

/** A 206 answer whose body comes 512 bytes every 250 ms. */
async function trickle(ctx: Ctx, data: Buffer, type: string): Promise<void> {
	const r = /^bytes=(\d+)-(\d+)$/.exec(ctx.header('range') ?? '');
	const start = r ? Number(r[1]) : 0;
	const end = r ? Math.min(Number(r[2]), data.length - 1) : data.length - 1;
	const body = data.subarray(start, end + 1);
	ctx.answered = true;
	ctx.record.status = 206;
	ctx.res.writeHead(206, {
		'content-type': type,
		'content-length': String(body.length),
		'content-range': `bytes ${start}-${end}/${data.length}`,
	});
	for (let at = 0; at < body.length && !ctx.res.destroyed; at += 512) {
		ctx.res.write(body.subarray(at, at + 512));
		await sleep(250);
	}
	ctx.res.end();
}
