/** Bench support: medians over several runs, printed as figures, never asserted. */
import { performance } from "node:perf_hooks";

export interface Figure {
  name: string;
  value: number;
  unit: string;
  note?: string;
}

export function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const middle = Math.floor(sorted.length / 2);
  return sorted.length % 2 === 1 ? (sorted[middle] as number) : ((sorted[middle - 1] as number) + (sorted[middle] as number)) / 2;
}

/** Median wall time in milliseconds of `runs` runs of `work` (after one warm-up run). */
export async function medianMs(runs: number, work: () => unknown | Promise<unknown>): Promise<number> {
  await work();
  const times: number[] = [];
  for (let run = 0; run < runs; run++) {
    const start = performance.now();
    await work();
    times.push(performance.now() - start);
  }
  return median(times);
}

export function printFigures(section: string, figures: Figure[]): void {
  console.log(`\n## ${section}`);
  for (const figure of figures) {
    const value = figure.value >= 100 ? figure.value.toFixed(0) : figure.value >= 1 ? figure.value.toFixed(2) : figure.value.toFixed(4);
    console.log(`  ${figure.name.padEnd(64)} ${value.padStart(12)} ${figure.unit}${figure.note ? `   (${figure.note})` : ""}`);
  }
}
