/**
 * Progress of a benchmark run: each phase announces how many steps it has; after every step the run prints
 * where it is and an estimate of what is left. A phase's remaining steps are estimated from its own measured
 * pace once it has one, phases not yet started from their planned seconds per step, scaled by how much slower
 * or faster than planned the run has gone so far (a busy machine slows every phase alike).
 */
import { performance } from "node:perf_hooks";

/** A phase as planned: its name, its steps, and a guess at the seconds one step takes on an idle machine. */
export interface PhasePlan {
    name: string;
    steps: number;
    plannedSecondsPerStep: number;
}

interface PhaseState extends PhasePlan {
    done: number;
    spentMs: number;
    startedAt?: number;
}

/** Seconds as a short text: "45 s", "3 min 05 s". */
export function formatSeconds(s: number): string {
    if (!Number.isFinite(s)) {
        return "?";
    }
    const whole = Math.max(0, Math.round(s));
    if (whole < 60) {
        return `${whole} s`;
    }
    return `${Math.floor(whole / 60)} min ${String(whole % 60).padStart(2, "0")} s`;
}

/** Tracks the phases of one run and prints progress lines through `log`. */
export class Progress {
    private readonly phases: PhaseState[];
    private readonly started = performance.now();
    private current: PhaseState | undefined;

    constructor(
        plans: readonly PhasePlan[],
        private readonly log: (line: string) => void,
    ) {
        this.phases = plans.map((p) => ({ ...p, done: 0, spentMs: 0 }));
    }

    /** The planned total, for the opening line. */
    public plannedSeconds(): number {
        return this.phases.reduce((t, p) => t + p.steps * p.plannedSecondsPerStep, 0);
    }

    /** Starts phase `name` (it must have been planned). */
    public begin(name: string): void {
        const phase = this.phases.find((p) => p.name === name);
        if (!phase) {
            throw new Error(`Progress: phase "${name}" was not planned`);
        }
        this.current = phase;
        phase.startedAt = performance.now();
        const index = this.phases.indexOf(phase) + 1;
        this.log(
            `[${index}/${this.phases.length}] ${phase.name}: ${phase.steps} steps; ` +
                `about ${formatSeconds(this.remainingSeconds())} left in the run`,
        );
    }

    /** Records one finished step of the current phase, with what it measured, and prints the progress line. */
    public step(what: string): void {
        const phase = this.current;
        if (!phase || phase.startedAt === undefined) {
            throw new Error("Progress: step() outside a phase");
        }
        phase.done += 1;
        phase.steps = Math.max(phase.steps, phase.done);
        phase.spentMs = performance.now() - phase.startedAt;
        const elapsed = (performance.now() - this.started) / 1000;
        this.log(
            `  ${phase.name} ${phase.done}/${phase.steps}: ${what} ` +
                `(elapsed ${formatSeconds(elapsed)}, about ${formatSeconds(this.remainingSeconds())} left)`,
        );
    }

    /** Ends the current phase (steps it skipped count as done). */
    public end(): void {
        if (this.current?.startedAt !== undefined) {
            this.current.spentMs = performance.now() - this.current.startedAt;
            this.current.done = this.current.steps;
        }
        this.current = undefined;
    }

    /** Estimated seconds left in the run. */
    public remainingSeconds(): number {
        let plannedDone = 0;
        let spentDone = 0;
        for (const p of this.phases) {
            if (p.done > 0) {
                plannedDone += p.done * p.plannedSecondsPerStep;
                spentDone += p.spentMs / 1000;
            }
        }
        const pace = plannedDone > 0 ? Math.max(0.25, spentDone / plannedDone) : 1;
        let left = 0;
        for (const p of this.phases) {
            const steps = p.steps - p.done;
            if (steps <= 0) {
                continue;
            }
            const perStep = p.done > 0 ? p.spentMs / 1000 / p.done : p.plannedSecondsPerStep * pace;
            left += steps * perStep;
        }
        return left;
    }

    /** Seconds since the run started. */
    public elapsedSeconds(): number {
        return (performance.now() - this.started) / 1000;
    }
}
