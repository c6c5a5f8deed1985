/**
 * Progress of a long offline preview, for people watching a terminal or a CI log: nothing for a run that ends
 * within the first {@link PROGRESS_AFTER_MS}, then one line every {@link PROGRESS_EVERY_MS} with what has been
 * done so far. The lines go to whatever the caller gives (the CLI: stderr, so `--json` stays machine-readable).
 */

/** Quiet this long (a small program's preview prints no progress). */
export const PROGRESS_AFTER_MS = 5000;
/** Then one line this often. */
export const PROGRESS_EVERY_MS = 5000;

/** What has been done so far. */
export interface ProgressCounts {
    /** Registrations the program made. */
    registered: number;
    /** Resources whose Remediate and Analyze answered. */
    analyzed: number;
}

/** "1,234" (pure). */
export function count(n: number): string {
    return String(n).replace(/\B(?=(\d{3})+(?!\d))/g, ",");
}

/** One progress line (pure). */
export function progressLine(phase: string, counts: ProgressCounts, elapsedMs: number): string {
    return (
        `offline preview: ${phase}: ${count(counts.registered)} resources registered, ` +
        `${count(counts.analyzed)} analyzed (${Math.round(elapsedMs / 1000)} s)`
    );
}

/** Prints progress lines on a timer while a preview runs. */
export class Progress {
    private readonly started = Date.now();
    private phase = "running the program";
    private timer: NodeJS.Timeout | undefined;

    constructor(
        private readonly write: ((line: string) => void) | undefined,
        private readonly counts: () => ProgressCounts,
    ) {
        if (write) {
            const first = setTimeout(() => {
                this.print();
                this.timer = setInterval(() => this.print(), PROGRESS_EVERY_MS);
                this.timer.unref();
            }, PROGRESS_AFTER_MS);
            first.unref();
            this.timer = first;
        }
    }

    private print(): void {
        this.write?.(progressLine(this.phase, this.counts(), Date.now() - this.started));
    }

    /** Names the current phase (shown from the next line on, and at once if lines are already printed). */
    public enter(phase: string): void {
        this.phase = phase;
        if (this.write && Date.now() - this.started >= PROGRESS_AFTER_MS) {
            this.print();
        }
    }

    /** Stops printing. */
    public stop(): void {
        if (this.timer) {
            clearTimeout(this.timer);
            clearInterval(this.timer);
        }
        this.timer = undefined;
    }
}
