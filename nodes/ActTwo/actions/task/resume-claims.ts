/**
 * One resume per waiting execution in this process. n8n loads a waiting execution for every call of its resume
 * URL before any of them has resumed it: calls that arrive together (a provider's callback, its retry, the
 * lost-callback watch) each run this node's webhook, and each one that returned the task would make n8n start
 * the run again and answer the losers HTTP 500 (measured on n8n 2.39). The first call holds the claim while it
 * confirms; the others wait for its outcome and resume only if it did not.
 */
export interface ResumeClaim {
	/** This call resumes the execution: later calls are answered without resuming. */
	commit(): void;
	/** This call did not resume it (not confirmed yet): the next call may. */
	release(): void;
}

const REMEMBERED = 10_000;

export class ResumeClaims {
	private readonly inFlight = new Map<string, Promise<boolean>>();
	private readonly resumed = new Set<string>();

	/** A claim on resuming `executionId`, or null when a call already resumed it. */
	async claim(executionId: string): Promise<ResumeClaim | null> {
		for (;;) {
			if (this.resumed.has(executionId)) return null;
			const pending = this.inFlight.get(executionId);
			if (!pending) break;
			await pending;
		}
		let done: (resumed: boolean) => void = () => {};
		this.inFlight.set(executionId, new Promise<boolean>((resolve) => (done = resolve)));
		let open = true;
		const end = (resumed: boolean) => {
			if (!open) return;
			open = false;
			if (resumed) this.remember(executionId);
			this.inFlight.delete(executionId);
			done(resumed);
		};
		return { commit: () => end(true), release: () => end(false) };
	}

	private remember(executionId: string): void {
		this.resumed.add(executionId);
		if (this.resumed.size > REMEMBERED)
			this.resumed.delete(this.resumed.values().next().value as string);
	}
}

export const resumeClaims = new ResumeClaims();
