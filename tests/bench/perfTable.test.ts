import assert from "node:assert/strict";
import { spreadOf, verdictOf } from "../../bench/lib/stats";
import {
    BEGIN,
    COMMANDS_BEGIN,
    COMMANDS_END,
    END,
    SCALE_BEGIN,
    SCALE_END,
    checkBenchJson,
    checkCommandsJson,
    renderCommandsTable,
    renderScaleTable,
    renderTable,
    replaceSection,
    scaleJsonOf,
} from "../../scripts/perfTable";
import type { BenchJson, CommandsJson } from "../../scripts/perfTable";

function results(ratios: BenchJson["ratios"]): BenchJson {
    return {
        generatedAt: "2026-12-02T03:10:00.000Z",
        totalSeconds: 251.4,
        machine: {
            nproc: 2,
            cpu: "AMD EPYC",
            memoryGiB: 23.5,
            node: "v20.20.2",
            platform: "linux 6.1",
            loadAverageAtStart: "9.10 8.00 7.00",
            loadAverageAtEnd: "3.00 4.00 5.00",
        },
        settings: { rounds: 3 },
        ratios,
        problems: [],
    };
}

describe("bench: a ratio's verdict against its target", () => {
    it("is met or not met only when the spread is narrower than the margin", () => {
        assert.equal(verdictOf(spreadOf([1.1, 1.12, 1.15]), 1.3), "met");
        assert.equal(verdictOf(spreadOf([1.6, 1.62, 1.7]), 1.3), "not met");
        // Median 1.2, margin 0.1, spread 0.3: the rounds do not say which side of 1.3 the ratio is on.
        assert.equal(verdictOf(spreadOf([1.0, 1.2, 1.3]), 1.3), "not settled");
        assert.equal(verdictOf(spreadOf([1.45, 1.5, 1.9]), 1.3), "not settled");
    });

    it("never settles on fewer than three rounds, or on no figure", () => {
        assert.equal(verdictOf(spreadOf([1.0, 1.0]), 1.3), "not settled");
        assert.equal(verdictOf(spreadOf([Number.NaN, 1.0, Number.NaN]), 1.3), "not settled");
        assert.equal(verdictOf(spreadOf([]), 1.3), "not settled");
    });
});

describe("bench: the README's performance table, generated from a run", () => {
    const json = results([
        {
            measure: "AnalyzeStack 10,000 resources, preview mix",
            ours: "1500 ms",
            peer: "floor 1200 ms",
            ratio: spreadOf([1.2, 1.25, 1.5]),
            limit: 1.3,
            verdict: "not settled",
        },
        {
            measure: "Start-up memory (RSS)",
            ours: "142 MiB",
            peer: "floor 140 MiB",
            ratio: spreadOf([1.01, 1.01, 1.02]),
            limit: 1.3,
            verdict: "met",
        },
        { measure: "info | row", ours: "1", peer: "2", ratio: spreadOf([0.5, 0.5, 0.5]) },
    ]);

    it("carries the run's date and machine, every ratio with its spread, and the run's verdicts", () => {
        const t = renderTable(json);
        assert.ok(t.startsWith(BEGIN) && t.endsWith(END));
        assert.match(t, /Run of 2026-12-02 .* on 2 CPUs \(AMD EPYC\), 23\.5 GiB, Node v20\.20\.2/);
        assert.match(t, /load average 9\.10 8\.00 7\.00 at the start, 3\.00 4\.00 5\.00 at the end/);
        assert.match(
            t,
            /\| AnalyzeStack 10,000 resources, preview mix \| 1500 ms \| floor 1200 ms \| 1\.25x \(1\.20–1\.50\) \| ≤ 1\.30x \| \*\*not settled\*\* \|/,
        );
        assert.match(
            t,
            /\| Start-up memory \(RSS\) \| 142 MiB \| floor 140 MiB \| 1\.01x \(1\.01–1\.02\) \| ≤ 1\.30x \| met \|/,
        );
        assert.match(t, /\| info \\\| row \| 1 \| 2 \| 0\.50x \(0\.50–0\.50\) \| {2}\| {2}\|/);
    });

    it("replaces only what lies between the markers", () => {
        const readme = `# T\n\nbefore\n\n${BEGIN}\nold table\n${END}\n\nafter\n`;
        const out = replaceSection(readme, renderTable(json));
        assert.ok(out.startsWith("# T\n\nbefore\n\n"));
        assert.ok(out.endsWith(`${END}\n\nafter\n`));
        assert.ok(!out.includes("old table"));
        assert.equal(replaceSection(out, renderTable(json)), out, "a second run on the same JSON changes nothing");
    });

    it("refuses a README without the markers, or with them twice", () => {
        assert.throws(() => replaceSection("no markers", "x"), /must hold/);
        assert.throws(() => replaceSection(`${END}\n${BEGIN}`, "x"), /must hold/);
        assert.throws(() => replaceSection(`${BEGIN}${END}${BEGIN}${END}`, "x"), /once each/);
    });

    it("refuses results without ratios, naming what is missing", () => {
        assert.throws(() => checkBenchJson({ generatedAt: "x" }), /no "totalSeconds"/);
        assert.throws(() => checkBenchJson({ ...json, ratios: [] }), /"ratios" is empty/);
        assert.equal(checkBenchJson(json), json);
    });
});

const MACHINE = {
    nproc: 2,
    cpu: "AMD EPYC",
    memoryGiB: 23.5,
    node: "v20.20.2",
    platform: "linux 6.1",
    loadAverageAtStart: "9.10 8.00 7.00",
    loadAverageAtEnd: "3.00 4.00 5.00",
};

describe("bench: the README's commands table, generated from bench/commands.json", () => {
    const json: CommandsJson = {
        generatedAt: "2026-12-02T05:37:23.494Z",
        totalSeconds: 120.4,
        machine: MACHINE,
        runs: 3,
        base: "9193ae8",
        trees: ["this checkout", "revision 9193ae8"],
        samples: {
            "npm run preview:offline": {
                "this checkout": [1000, 2000, 3000],
                "revision 9193ae8": [4000, 4000, 12000],
            },
        },
    };

    it("carries the run's date, machine and command line, and each time as median (min–max)", () => {
        const t = renderCommandsTable(json);
        assert.ok(t.startsWith(COMMANDS_BEGIN) && t.endsWith(COMMANDS_END));
        assert.match(t, /Run of 2026-12-02 .* on 2 CPUs \(AMD EPYC\), 23\.5 GiB, Node v20\.20\.2/);
        assert.match(t, /load average 9\.10 8\.00 7\.00 at the start, 3\.00 4\.00 5\.00 at the end/);
        assert.match(t, /`npm run bench:commands -- --base 9193ae8 --runs 3` took 120 s/);
        assert.match(t, /\| `npm run preview:offline` \| 2\.00 s \(1\.00–3\.00\) \| 4\.00 s \(4\.00–12\.00\) \|/);
    });

    it("takes the ratio run by run (each run's pair), not as a ratio of the medians", () => {
        // Runs: 1/4, 2/4, 3/12 -> median 0.25 (0.25–0.50); the medians' ratio would be 0.50.
        assert.match(renderCommandsTable(json), /\| 0\.25x \(0\.25–0\.50\) \|$/m);
    });

    it("has no before column without a base revision", () => {
        const t = renderCommandsTable({
            ...json,
            base: undefined,
            trees: ["this checkout"],
            samples: { "npm run preview:offline": { "this checkout": [1000, 2000, 3000] } },
        });
        assert.match(t, /^\| Command \| Now \[abs\] \|$/m);
        assert.match(t, /\| `npm run preview:offline` \| 2\.00 s \(1\.00–3\.00\) \|$/m);
        assert.doesNotMatch(t, /--base/);
    });

    it("refuses a file without what the table needs, naming the field", () => {
        assert.throws(() => checkCommandsJson({ generatedAt: "x", totalSeconds: 1 }), /no "machine"/);
        const { samples: _samples, ...noSamples } = json;
        assert.throws(() => checkCommandsJson(noSamples), /no "samples"/);
        assert.equal(checkCommandsJson(json), json);
    });
});

describe("bench: the README's offline-preview-at-scale table, generated from a run with --all", () => {
    const run = (round: number, previewS: number, peerS: number, runnerMiB: number) => ({
        size: 10000,
        round,
        preview: {
            wallMs: previewS * 1000,
            peakRssMiB: { command: 300, runner: runnerMiB, pack: 320 },
            peakTotalRssMiB: 1800,
            timings: { programMs: 15000, analyzeMs: 8000 },
        },
        peer: { wallMs: peerS * 1000, peakRssMiB: { peer: 2000 }, peakTotalRssMiB: 2000 },
    });
    const results = {
        ...results0(),
        all: {
            settings: { previewRounds: 3 },
            previewScale: [run(0, 20, 40, 1200), run(1, 30, 40, 1300), run(2, 24, 30, 1250)],
            heapPerPendingResourceKiB: [
                { type: "aws:s3/bucket:Bucket", kiB: 100 },
                { type: "aws:iam/role:Role", kiB: 50 },
                { type: "EncryptedApplication (7 resources)", kiB: 700 },
            ],
            targets: [
                {
                    name: "offline preview of 10000 resources in under a minute",
                    value: "24.0 s",
                    limit: "< 60 s",
                    holds: true,
                },
                { name: "start-up time within 1.3x of the floor", value: "1.00x", limit: "<= 1.30x", holds: true },
            ],
        },
    };
    function results0(): BenchJson {
        return {
            generatedAt: "2026-12-02T03:10:00.000Z",
            totalSeconds: 1500.2,
            machine: MACHINE,
            settings: { rounds: 3, all: true },
            ratios: [{ measure: "m", ours: "1", peer: "2", ratio: spreadOf([0.5, 0.5, 0.5]) }],
            problems: [],
        };
    }

    it("is there only for a run with --all", () => {
        assert.equal(scaleJsonOf(results0()), undefined);
        assert.ok(scaleJsonOf(results));
        const { targets: _targets, ...noTargets } = results.all;
        assert.throws(() => scaleJsonOf({ ...results, all: noTargets }), /no "all\.targets"/);
    });

    it("shows every time and ratio as median (min–max) over the rounds, each ratio within its round", () => {
        const json = scaleJsonOf(results);
        assert.ok(json);
        const t = renderScaleTable(json);
        assert.ok(t.startsWith(SCALE_BEGIN) && t.endsWith(SCALE_END));
        assert.match(t, /Run of 2026-12-02 .* on 2 CPUs .* load average 9\.10 8\.00 7\.00 at the start/);
        assert.match(t, /took 1500 s\. 3 round\(s\)/);
        // Preview 20/30/24 s, peer 40/40/30 s: time ratios 0.50, 0.75, 0.80 (not 24/40 = 0.60 of the medians).
        assert.match(
            t,
            /\| 10,000 \| 24\.0 s \(20\.0–30\.0\) \| 15\.0 s \/ 8\.0 s \| 300 \/ 1250 \/ 320 MiB \| 40\.0 s \(30\.0–40\.0\) \| 2000 MiB \| 0\.75x \(0\.50–0\.80\) \| 0\.90x \(0\.90–0\.90\) \|/,
        );
        assert.match(t, /Targets: offline preview of 10000 resources in under a minute, 24\.0 s \(under 60 s\): met\./);
        assert.doesNotMatch(t, /start-up time/);
        // 10,000 resources: 100 components (700 KiB each) and 930 blocks (150 KiB each): about 205 MiB.
        assert.match(t, /`s3\.Bucket` 100 KiB, `iam\.Role` 50 KiB, the component 700 KiB for its 7/);
        assert.match(t, /holds about 205 MiB of them at once/);
    });

    it("replaces its own section and leaves the others alone", () => {
        const json = scaleJsonOf(results);
        assert.ok(json);
        const readme = `${BEGIN}\nperf\n${END}\n${SCALE_BEGIN}\nstale scale table\n${SCALE_END}\n${COMMANDS_BEGIN}\ncmd\n${COMMANDS_END}\n`;
        const out = replaceSection(readme, renderScaleTable(json), [SCALE_BEGIN, SCALE_END]);
        assert.ok(out.startsWith(`${BEGIN}\nperf\n${END}\n${SCALE_BEGIN}\n`));
        assert.ok(out.endsWith(`${SCALE_END}\n${COMMANDS_BEGIN}\ncmd\n${COMMANDS_END}\n`));
        assert.ok(!out.includes("stale scale table"));
    });
});
