import type { Sizes } from "./config.ts";
import type { Results } from "./results.ts";

const COLORS = { ours: "#2b7a4b", sio: "#c0623a", full: "#6b6bb5", bare: "#999999" } as const;
const esc = (text: string) => text.replace(/&/g, "&amp;").replace(/</g, "&lt;");

type Bar = { label: string; value: number; color: string };

/** A bar panel at (x, y), `w`×`h`, bars grouped by `groups`; `log` for a log10 axis. */
function panel(
  x: number,
  y: number,
  w: number,
  h: number,
  title: string,
  unit: string,
  groups: { name: string; bars: Bar[] }[],
  log = false,
): string {
  const values = groups.flatMap((g) => g.bars.map((b) => b.value)).filter((v) => v > 0);
  const max = Math.max(...values, 1);
  const min = log ? Math.min(...values, max) / 2 : 0;
  const scale = (v: number) =>
    log
      ? ((Math.log10(Math.max(v, min)) - Math.log10(min)) / (Math.log10(max) - Math.log10(min))) * h
      : (v / max) * h;
  const parts = [
    `<text x="${x}" y="${y - 28}" font-size="14" font-weight="bold">${esc(title)}</text>`,
  ];
  parts.push(`<line x1="${x}" y1="${y + h}" x2="${x + w}" y2="${y + h}" stroke="#999"/>`);
  const groupWidth = w / Math.max(1, groups.length);
  groups.forEach((group, gi) => {
    const barWidth = (groupWidth * 0.8) / Math.max(1, group.bars.length);
    group.bars.forEach((bar, bi) => {
      const bh = Math.max(1, scale(bar.value));
      const bx = x + gi * groupWidth + groupWidth * 0.1 + bi * barWidth;
      parts.push(
        `<rect x="${bx.toFixed(1)}" y="${(y + h - bh).toFixed(1)}" width="${(barWidth - 2).toFixed(1)}" height="${bh.toFixed(1)}" fill="${bar.color}"><title>${esc(bar.label)}: ${bar.value.toFixed(2)} ${unit}</title></rect>`,
      );
      const shown =
        bar.value >= 100 ? bar.value.toFixed(0) : bar.value.toFixed(bar.value >= 10 ? 1 : 2);
      parts.push(
        `<text x="${(bx + barWidth / 2 - 1).toFixed(1)}" y="${(y + h - bh - 3).toFixed(1)}" font-size="10" text-anchor="middle">${shown}</text>`,
      );
    });
    parts.push(
      `<text x="${(x + gi * groupWidth + groupWidth / 2).toFixed(1)}" y="${y + h + 16}" font-size="12" text-anchor="middle">${esc(group.name)}</text>`,
    );
  });
  parts.push(
    `<text x="${x}" y="${y - 10}" font-size="11" fill="#555">${esc(unit)}${log ? " (log scale)" : ""}</text>`,
  );
  return parts.join("\n");
}

/**
 * Three panels: fan-out CPU per delivered change by phase; p99 of a lone message and of a
 * conversation, beside the floor and Socket.IO; resume time by space size.
 */
export function renderChart(results: Results, sizes: Sizes): string {
  const n = sizes.targetTier;
  const phases = sizes.fanout.phases.map((p) => p.name);
  const p99Of = (peer: "ours" | "sio" | "bare") =>
    results.fanout
      .find((t) => t.peer === peer && t.subscribers === n)
      ?.phases.find((p) => p.phase === "lone")?.latencyMs.p99;
  const bar = (label: string, value: number | undefined, color: string) =>
    value === undefined || !Number.isFinite(value) ? [] : [{ label, value, color }];
  const talk = (peer: string) => results.conversation.find((c) => c.peer === peer)?.latencyMs.p99;
  const latencyGroups = [
    {
      name: `lone, ${n / 1000}k`,
      bars: [
        ...bar("ours", p99Of("ours"), COLORS.ours),
        ...bar("bare send loop", p99Of("bare"), COLORS.bare),
        ...bar("sio", p99Of("sio"), COLORS.sio),
      ],
    },
    {
      name: "conversation",
      bars: [...bar("ours", talk("ours"), COLORS.ours), ...bar("sio", talk("sio"), COLORS.sio)],
    },
  ];
  const cpuGroups = phases.map((phase) => ({
    name: phase,
    bars: (["ours", "bare", "sio"] as const).flatMap((peer) => {
      const figures = results.fanout
        .find((t) => t.peer === peer && t.subscribers === n)
        ?.phases.find((p) => p.phase === phase);
      return figures
        ? [{ label: peer, value: figures.cpuMicrosPerDelivery, color: COLORS[peer] }]
        : [];
    }),
  }));
  const resumeGroups = results.catchup.map((c) => ({
    name: `10^${Math.log10(c.intentions)}`,
    bars: [
      { label: "ours", value: c.resumeDbMs, color: COLORS.ours },
      { label: "full array", value: c.fullResumeMs, color: COLORS.full },
    ],
  }));
  const legend = (
    Object.entries({
      "Rhizome (delta SSE)": COLORS.ours,
      "Socket.IO 4.8": COLORS.sio,
      "full-array design": COLORS.full,
      "bare Bun SSE send loop (floor)": COLORS.bare,
    }) as [string, string][]
  )
    .map(
      ([label, color], i) =>
        `<rect x="${40 + i * 240}" y="352" width="12" height="12" fill="${color}"/><text x="${58 + i * 240}" y="362" font-size="12">${label}</text>`,
    )
    .join("\n");
  return `<svg xmlns="http://www.w3.org/2000/svg" width="1320" height="380" font-family="sans-serif">
<rect width="1320" height="380" fill="white"/>
${panel(40, 70, 380, 230, `Server CPU per delivered change, ${n / 1000}k subscribers`, "µs per delivery", cpuGroups)}
${panel(480, 70, 360, 230, "p99 post → delivered, same run", "ms", latencyGroups)}
${panel(900, 70, 380, 230, "Resume 50 missed changes vs space size", "ms, end to end", resumeGroups, true)}
${legend}
</svg>
`;
}
