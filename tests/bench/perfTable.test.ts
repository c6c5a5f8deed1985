import assert from "node:assert/strict";
import { spreadOf, verdictOf } from "../../bench/lib/stats";
import { BEGIN, END, checkBenchJson, renderTable, replaceSection } from "../../scripts/perfTable";
import type { BenchJson } from "../../scripts/perfTable";

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
