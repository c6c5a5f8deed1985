/**
 * Reads a process's memory and CPU time from /proc (Linux). The engine harness exposes the pack's pid;
 * these read around it.
 */
import * as fs from "node:fs";

/** Resident memory of `pid`: current (VmRSS) and peak (VmHWM), in MiB; undefined off Linux. */
export function memoryOf(pid: number): { rssMiB: number; hwmMiB: number } | undefined {
    let text: string;
    try {
        text = fs.readFileSync(`/proc/${pid}/status`, "utf8");
    } catch {
        return undefined;
    }
    const kib = (field: string): number => {
        const m = new RegExp(`^${field}:\\s+(\\d+)\\s+kB`, "m").exec(text);
        return m ? Number(m[1]) : Number.NaN;
    };
    return { rssMiB: kib("VmRSS") / 1024, hwmMiB: kib("VmHWM") / 1024 };
}

/** User + system CPU time of `pid` in milliseconds (from /proc/<pid>/stat); NaN when unreadable. */
export function cpuMsOf(pid: number): number {
    let text: string;
    try {
        text = fs.readFileSync(`/proc/${pid}/stat`, "utf8");
    } catch {
        return Number.NaN;
    }
    // Fields after the parenthesised command name; utime and stime are fields 14 and 15 (1-based).
    const rest = text.slice(text.lastIndexOf(")") + 2).split(" ");
    const ticks = Number(rest[11]) + Number(rest[12]);
    return (ticks * 1000) / clockTicksPerSecond();
}

/** USER_HZ: clock ticks per second in /proc/<pid>/stat, 100 on every Linux the benchmarks target. */
function clockTicksPerSecond(): number {
    return 100;
}
