/** The machine a benchmark ran on, as every benchmark's JSON records it (the README's tables print it). */
import * as fs from "node:fs";
import * as os from "node:os";
import { round } from "./stats";

/** The host's load average, as text. */
export function loadAverage(): string {
    return os
        .loadavg()
        .map((x) => x.toFixed(2))
        .join(" ");
}

/** CPUs, CPU model, memory, Node, platform, and the load average now (at the start of a run). */
export function machine(): Record<string, string | number> {
    const cpuinfo = fs.existsSync("/proc/cpuinfo") ? fs.readFileSync("/proc/cpuinfo", "utf8") : "";
    const model = /^model name\s*:\s*(.*)$/m.exec(cpuinfo)?.[1] ?? os.cpus()[0]?.model ?? "unknown";
    return {
        nproc: os.availableParallelism(),
        cpu: model.trim(),
        memoryGiB: round(os.totalmem() / 1024 ** 3, 1),
        node: process.version,
        platform: `${os.platform()} ${os.release()}`,
        loadAverageAtStart: loadAverage(),
    };
}
