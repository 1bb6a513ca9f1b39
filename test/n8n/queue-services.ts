/* eslint-disable @n8n/community-nodes/no-restricted-imports, @n8n/community-nodes/no-restricted-globals -- test-only code: Node APIs are allowed here, the scanner never reads test/ */
/* eslint-disable @n8n/community-nodes/no-dangerous-functions, @n8n/community-nodes/require-node-api-error -- test infrastructure: it spawns Redis and PostgreSQL and throws plain errors */
/**
 * Private Redis and PostgreSQL for n8n's queue mode, as child processes on free ports in a temp folder
 * (never the system services). Binaries come from Debian packages through scripts/queue-services.sh,
 * which installs them when missing. PostgreSQL refuses to run as root: as root, initdb and postgres run
 * as the `postgres` user (spawn uid/gid, like `runuser -u postgres`) on a data folder it owns.
 * The database password is random and never printed.
 */
import { execFile, spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import {
	appendFileSync,
	chmodSync,
	chownSync,
	closeSync,
	existsSync,
	mkdirSync,
	mkdtempSync,
	openSync,
	readFileSync,
	rmSync,
	writeFileSync,
} from 'node:fs';
import { connect } from 'node:net';
import { join } from 'node:path';
import { promisify } from 'node:util';

import { freePort, REPO_ROOT, scratchDir } from './instance';

const execFileP = promisify(execFile);
const sleep = async (ms: number) => await new Promise((r) => setTimeout(r, ms));

export interface QueueServices {
	dir: string;
	redis: { host: string; port: number; logFile: string };
	postgres: { host: string; port: number; database: string; user: string; logFile: string };
	/** DB_* and QUEUE_BULL_REDIS_* for n8n (holds the database password: never print it). */
	n8nEnv: Record<string, string>;
	/** Stops both servers and deletes the folder. */
	stop(): Promise<void>;
}

/**
 * Runs scripts/queue-services.sh (synchronously, so a test file can decide at load time whether to skip):
 * the binaries' paths, or why they are missing and cannot be installed here.
 */
export function queueServiceBinaries():
	| { redisServer: string; pgBin: string }
	| { missing: string } {
	const res = spawnSync('bash', [join(REPO_ROOT, 'scripts', 'queue-services.sh')], {
		cwd: REPO_ROOT,
		encoding: 'utf8',
		maxBuffer: 16 * 1024 * 1024,
		timeout: 10 * 60_000,
	});
	const redisServer = /^REDIS_SERVER=(.+)$/m.exec(res.stdout ?? '')?.[1];
	const pgBin = /^PG_BIN=(.+)$/m.exec(res.stdout ?? '')?.[1];
	if (res.status === 0 && redisServer && pgBin) return { redisServer, pgBin };
	return {
		missing:
			(res.stderr ?? '').trim() ||
			res.error?.message ||
			`scripts/queue-services.sh exited with ${res.status}`,
	};
}

/** uid/gid to run PostgreSQL with: the `postgres` user when we are root, else ourselves. */
async function postgresUser(): Promise<{ uid: number; gid: number } | undefined> {
	if (process.getuid?.() !== 0) return undefined;
	const id = async (flag: string) =>
		Number((await execFileP('id', [flag, 'postgres'])).stdout.trim());
	return { uid: await id('-u'), gid: await id('-g') };
}

function tail(file: string, chars = 3000): string {
	return existsSync(file) ? readFileSync(file, 'utf8').slice(-chars) : '(no log)';
}

/** Spawns a server with its output appended to `logFile`; `exited` settles when it ends. */
function startServer(
	cmd: string,
	args: string[],
	logFile: string,
	user?: { uid: number; gid: number },
): { child: ChildProcess; exited: Promise<void>; exitInfo: () => string | undefined } {
	const fd = openSync(logFile, 'a');
	const child = spawn(cmd, args, { stdio: ['ignore', fd, fd], ...(user ?? {}) });
	closeSync(fd);
	let info: string | undefined;
	const exited = new Promise<void>((ok) =>
		child.once('exit', (code, signal) => {
			info = `exited with code ${code} signal ${signal}`;
			ok();
		}),
	);
	return { child, exited, exitInfo: () => info };
}

async function stopServer(
	s: { child: ChildProcess; exited: Promise<void>; exitInfo: () => string | undefined },
	signal: NodeJS.Signals,
): Promise<void> {
	if (s.exitInfo()) return;
	s.child.kill(signal);
	const killer = setTimeout(() => s.child.kill('SIGKILL'), 15_000);
	await s.exited;
	clearTimeout(killer);
}

async function redisPing(port: number): Promise<boolean> {
	return await new Promise((ok) => {
		const sock = connect(port, '127.0.0.1');
		let buf = '';
		sock.setTimeout(1000, () => sock.destroy());
		sock.on('connect', () => sock.write('PING\r\n'));
		sock.on('data', (d) => {
			buf += d.toString();
			if (buf.includes('\r\n')) sock.end();
		});
		sock.on('close', () => ok(buf.startsWith('+PONG')));
		sock.on('error', () => undefined);
	});
}

/** Waits for `ready()` while the server runs; throws with its log tail when it exits or times out. */
async function waitReady(
	name: string,
	s: { exitInfo: () => string | undefined },
	logFile: string,
	ready: () => Promise<boolean>,
	timeoutMs = 30_000,
): Promise<void> {
	const deadline = Date.now() + timeoutMs;
	for (;;) {
		if (s.exitInfo()) throw new Error(`${name} ${s.exitInfo()} during start-up:\n${tail(logFile)}`);
		if (await ready()) return;
		if (Date.now() > deadline)
			throw new Error(`${name} not ready within ${timeoutMs} ms:\n${tail(logFile)}`);
		await sleep(200);
	}
}

/** Starts private Redis and PostgreSQL servers (binaries from queueServiceBinaries()). */
export async function startQueueServices(bins: {
	redisServer: string;
	pgBin: string;
}): Promise<QueueServices> {
	const dir = mkdtempSync(join(scratchDir(), 'queue-'));
	const servers: Array<{ stop: () => Promise<void> }> = [];
	const stop = async () => {
		for (const s of servers.reverse()) await s.stop().catch(() => undefined);
		rmSync(dir, { recursive: true, force: true });
	};
	try {
		// Redis: no persistence, loopback only
		const redisPort = await freePort();
		const redisLog = join(dir, 'redis.log');
		mkdirSync(join(dir, 'redis'));
		const redis = startServer(
			bins.redisServer,
			[
				'--port',
				String(redisPort),
				'--bind',
				'127.0.0.1',
				'--dir',
				join(dir, 'redis'),
				'--save',
				'',
				'--appendonly',
				'no',
				'--daemonize',
				'no',
			],
			redisLog,
		);
		servers.push({ stop: async () => await stopServer(redis, 'SIGTERM') });
		await waitReady('redis-server', redis, redisLog, async () => await redisPing(redisPort));

		// PostgreSQL: initdb with a random password (scram over TCP), then postgres on 127.0.0.1
		const user = await postgresUser();
		if (user) chmodSync(dir, 0o711); // mkdtemp's 0700 would keep the postgres user out
		const pgDir = join(dir, 'pg');
		mkdirSync(pgDir, { mode: 0o700 });
		if (user) chownSync(pgDir, user.uid, user.gid);
		const password = randomBytes(18).toString('base64url');
		const pwFile = join(pgDir, 'pw');
		writeFileSync(pwFile, `${password}\n`, { mode: 0o600 });
		if (user) chownSync(pwFile, user.uid, user.gid);
		const pgLog = join(dir, 'postgres.log');
		const dbUser = 'n8n';
		const initdb = startServer(
			join(bins.pgBin, 'initdb'),
			[
				'-D',
				join(pgDir, 'data'),
				'-U',
				dbUser,
				`--pwfile=${pwFile}`,
				'--auth-local=trust',
				'--auth-host=scram-sha-256',
				'-E',
				'UTF8',
				'--no-sync',
			],
			pgLog,
			user,
		);
		await initdb.exited;
		rmSync(pwFile, { force: true });
		if (!/code 0 /.test(initdb.exitInfo() ?? ''))
			throw new Error(`initdb ${initdb.exitInfo()}:\n${tail(pgLog)}`);
		const pgPort = await freePort();
		appendFileSync(pgLog, `\n===== postgres on 127.0.0.1:${pgPort} =====\n`);
		const postgres = startServer(
			join(bins.pgBin, 'postgres'),
			[
				'-D',
				join(pgDir, 'data'),
				'-p',
				String(pgPort),
				'-h',
				'127.0.0.1',
				'-k',
				pgDir,
				// a throw-away database: durability off, faster migrations
				'-c',
				'fsync=off',
				'-c',
				'synchronous_commit=off',
				'-c',
				'full_page_writes=off',
			],
			pgLog,
			user,
		);
		// SIGINT = PostgreSQL's "fast" shutdown (SIGTERM waits for every client to leave)
		servers.push({ stop: async () => await stopServer(postgres, 'SIGINT') });
		const pgEnv = { ...process.env, PGPASSWORD: password };
		const pgArgs = ['-h', '127.0.0.1', '-p', String(pgPort), '-U', dbUser];
		await waitReady('postgres', postgres, pgLog, async () => {
			try {
				await execFileP(join(bins.pgBin, 'pg_isready'), [...pgArgs, '-d', 'postgres', '-q']);
				return true;
			} catch {
				return false;
			}
		});
		const database = 'n8n';
		await execFileP(join(bins.pgBin, 'createdb'), [...pgArgs, database], { env: pgEnv });

		return {
			dir,
			redis: { host: '127.0.0.1', port: redisPort, logFile: redisLog },
			postgres: { host: '127.0.0.1', port: pgPort, database, user: dbUser, logFile: pgLog },
			n8nEnv: {
				DB_TYPE: 'postgresdb',
				DB_POSTGRESDB_HOST: '127.0.0.1',
				DB_POSTGRESDB_PORT: String(pgPort),
				DB_POSTGRESDB_DATABASE: database,
				DB_POSTGRESDB_USER: dbUser,
				DB_POSTGRESDB_PASSWORD: password,
				QUEUE_BULL_REDIS_HOST: '127.0.0.1',
				QUEUE_BULL_REDIS_PORT: String(redisPort),
			},
			stop,
		};
	} catch (error) {
		await stop();
		throw error;
	}
}
