/* eslint-disable @n8n/community-nodes/no-restricted-globals -- test-only code: Node APIs are allowed here, the scanner never reads test/ */
import { ResumeClaims } from '../../nodes/ActTwo/actions/task/resume-claims';

const tick = async () => await new Promise((r) => setImmediate(r));

describe('one resume per waiting execution (in this process)', () => {
	it('calls that arrive together: the first confirms and resumes, the others wait and do not resume', async () => {
		const claims = new ResumeClaims();
		const resumedBy: number[] = [];
		await Promise.all(
			[0, 1, 2, 3, 4].map(async (n) => {
				const claim = await claims.claim('exec-1');
				if (!claim) return;
				await tick(); // the confirming read
				resumedBy.push(n);
				claim.commit();
			}),
		);
		expect(resumedBy).toEqual([0]);
		expect(await claims.claim('exec-1')).toBeNull();
	});

	it('a call that could not confirm lets the next one try; other executions are independent', async () => {
		const claims = new ResumeClaims();
		const first = await claims.claim('exec-2');
		const second = claims.claim('exec-2');
		const other = await claims.claim('exec-3');
		expect(other).not.toBeNull();
		first!.release();
		const next = await second;
		expect(next).not.toBeNull();
		next!.commit();
		expect(await claims.claim('exec-2')).toBeNull();
		other!.commit();
	});

	it('committing or releasing twice changes nothing', async () => {
		const claims = new ResumeClaims();
		const c = await claims.claim('exec-4');
		c!.commit();
		c!.release();
		expect(await claims.claim('exec-4')).toBeNull();
	});
});
