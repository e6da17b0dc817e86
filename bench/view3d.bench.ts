// Bench: the 3-D label view (issue 13, item 2) in the real app — Debian Chromium, real web server and SQLite store —
// on the realistic 640×512×120 t2_SPACE series. Per round:
//   1. switch 1×3 → 2×2: the view mounts, the worker builds every label's surface, the first frame shows them;
//   2. a brush stroke (label 3, into background) → the frame showing the re-meshed label (measured in the page from
//      the stroke's commit, View3D's lastUpdateMs);
//   3. undo → the labels the undo touched re-meshed (useEditing reports the undo's diff) → frame;
//   4. back to 1×3 (the view is disposed).
// The longest requestAnimationFrame gap during each phase is compared with the idle frames of the same page (2×2,
// view built, nothing happening), measured in the same run.
//
//   node bin/run-ts.mjs bench/view3d.bench.ts [--runs N]   (default 5)
import { join } from 'node:path';
import type { Page } from 'playwright-core';
import type { Vec3 } from '../common/geometry.js';
import { labelPoint, WorkstationPage } from '../tests/e2e/support/workstationPage.js';
import { openByDoubleClick, startBenchApp } from './lib/app.js';
import { figure, machineLine, median, writeResults, type BenchFigure } from './lib/report.js';

const runs = Number(process.argv[process.argv.indexOf('--runs') + 1]) || 5;
const SERIES = '1_t2_SPACE';
const LABEL = 3;
const VIEW = '[data-view3d]';
const REBUILD_GOAL_MS = 1000;
const FRAME_GOAL_MS = 50;

/** rAF gap recorder in the page: start() … stop() → the gaps (ms) between consecutive animation frames. */
async function installGapRecorder(page: Page): Promise<void> {
  // A string, not a function: the bench runs under tsx, whose name helpers do not exist in the page.
  await page.evaluate(`(() => {
    const rec = { on: false, last: 0, gaps: [], chain: 0, tasks: [], t0: 0, t1: 0 };
    // Long tasks (≥ 50 ms on the page's main thread, whatever ran them): the app's own share of a long frame gap.
    const po = new PerformanceObserver((l) => { for (const e of l.getEntries()) rec.tasks.push(e); });
    po.observe({ type: 'longtask' });
    function tick(t, chain) {
      if (!rec.on || chain !== rec.chain) return;
      if (rec.last) rec.gaps.push(t - rec.last);
      rec.last = t;
      requestAnimationFrame((n) => tick(n, chain));
    }
    window.__gaps = {
      start() { rec.on = true; rec.last = 0; rec.gaps = []; rec.t0 = performance.now(); const c = ++rec.chain; requestAnimationFrame((n) => tick(n, c)); },
      stop() { rec.on = false; rec.t1 = performance.now(); return rec.gaps; },
      longestTask() {
        for (const e of po.takeRecords()) rec.tasks.push(e);
        const inside = rec.tasks.filter((e) => e.startTime + e.duration >= rec.t0 && e.startTime <= rec.t1);
        rec.tasks = rec.tasks.filter((e) => e.startTime > rec.t1);
        return Math.max(0, ...inside.map((e) => e.duration));
      },
    };
  })()`);
}
type Gaps = { start(): void; stop(): number[]; longestTask(): number };
const startGaps = (page: Page): Promise<void> => page.evaluate(() => (window as unknown as { __gaps: Gaps }).__gaps.start());
const stopGaps = (page: Page): Promise<number[]> => page.evaluate(() => (window as unknown as { __gaps: Gaps }).__gaps.stop());
/** The longest long task (≥ 50 ms; 0 = none) between the last startGaps and stopGaps. */
const longestTask = (page: Page): Promise<number> => page.evaluate(() => (window as unknown as { __gaps: Gaps }).__gaps.longestTask());

async function settled(page: Page): Promise<void> {
  await page.waitForFunction(
    (sel) => {
      const el = document.querySelector<HTMLElement>(sel);
      return !!el && el.dataset['status'] === 'ready' && el.dataset['version'] === el.dataset['drawn'];
    },
    VIEW,
    { timeout: 120_000, polling: 'raf' },
  );
}
const dataset = (page: Page): Promise<Record<string, string>> => page.locator(VIEW).evaluate((el: HTMLElement) => ({ ...el.dataset }) as Record<string, string>);
const setKind = (page: Page, kind: '1x3' | '2x2'): Promise<void> =>
  page.evaluate((k) => window.__spine!.viewer!.setLayout({ kind: k, maximised: null }), kind);

const app = await startBenchApp({ name: 'view3d' });
try {
  const { page, root, dir } = app;
  await openByDoubleClick(page, SERIES);
  await installGapRecorder(page);
  const wsPage = new WorkstationPage(page, join(dir, 'shots'));
  const size = await page.evaluate(() => window.__spine!.store.get().opened!.info.image.geometry.size.join('×'));

  // The stroke: label 3 painted into the soft tissue in front of vertebra 3, on its sagittal slice.
  const p = await labelPoint(join(root, 'masks', `${SERIES}.mha`), LABEL);
  const a: Vec3 = [p[0], p[1] - 20, p[2] - 5];
  const b: Vec3 = [p[0], p[1] - 20, p[2] + 5];
  await page.locator('select[aria-label="Active label"]').selectOption(String(LABEL));

  const s = {
    open: [] as number[], openGap: [] as number[], openWork: [] as number[],
    stroke: [] as number[], strokeGap: [] as number[], strokeWork: [] as number[],
    undo: [] as number[], undoGap: [] as number[], undoWork: [] as number[],
    redraw: [] as number[], strokeGap13: [] as number[], undoGap13: [] as number[], idleGap: [] as number[], idleMax: [] as number[],
    idleMax13: [] as number[], openTask: [] as number[], strokeTask: [] as number[], undoTask: [] as number[],
    strokeTask13: [] as number[], undoTask13: [] as number[],
  };
  let triangles = 0;
  let rebuilt = '';
  let undoRebuilt = '';
  let meshed = '';
  const saved = (): Promise<unknown> =>
    page.waitForFunction(() => document.querySelector('[data-testid="save-state"]')?.textContent?.startsWith('saved'), null, { timeout: 60_000 });
  const max = (xs: number[]): number => Math.max(0, ...xs);
  /** A stroke of LABEL in front of vertebra 3; resolves at the mouse release, gap recording started just before it. */
  const stroke = async (): Promise<void> => {
    await wsPage.setCrosshair(p);
    await page.locator('[data-testid="viewer"]').hover();
    await page.keyboard.press('b');
    const [x0, y0] = await wsPage.toPage('sagittal', a);
    const [x1, y1] = await wsPage.toPage('sagittal', b);
    await page.mouse.move(x0, y0);
    await page.mouse.down();
    await page.mouse.move(x1, y1, { steps: 6 });
    await startGaps(page);
    await page.mouse.up();
  };
  for (let r = 0; r <= runs; r++) {
    const warm = r === 0;
    // 0. the same stroke and undo without the 3-D view (1×3): the app's own frames, for comparison
    await setKind(page, '1x3');
    await page.waitForFunction((sel) => !document.querySelector(sel), VIEW);
    await stroke();
    await saved();
    await page.evaluate(() => window.__spine!.viewer!.rendered());
    const strokeGaps13 = await stopGaps(page);
    const strokeTask13 = await longestTask(page);
    await page.keyboard.press('Escape');
    await startGaps(page);
    await page.keyboard.press('Control+z');
    await saved();
    await page.evaluate(() => window.__spine!.viewer!.rendered());
    const undoGaps13 = await stopGaps(page);
    const undoTask13 = await longestTask(page);
    // idle baseline in 1×3: 1 s of frames
    await startGaps(page);
    await page.waitForTimeout(1000);
    const idle13 = await stopGaps(page);
    // 1. mount + full build
    await startGaps(page);
    const t0 = Date.now();
    await setKind(page, '2x2');
    await settled(page);
    const openMs = Date.now() - t0;
    const openGaps = await stopGaps(page);
    const openTask = await longestTask(page);
    const d0 = await dataset(page);
    meshed = d0['meshed'] ?? '';
    triangles = Number(d0['triangles']);
    // idle baseline: 1.5 s of frames with the view built
    await startGaps(page);
    await page.waitForTimeout(1500);
    const idle = await stopGaps(page);
    // a re-render with every surface uploaded and nothing to hand over (the crosshair marker moves)
    await wsPage.setCrosshair(p);
    await page.evaluate(() => new Promise((r) => requestAnimationFrame(() => requestAnimationFrame(r))));
    const redraw = Number((await dataset(page))['drawMs']);
    // 2. stroke → re-meshed frame
    const before = Number(d0['rebuilds']?.split(',').find((kv) => kv.startsWith(`${LABEL}:`))?.split(':')[1] ?? 0);
    await stroke();
    await page.waitForFunction(
      ([sel, l, n]) => {
        const el = document.querySelector<HTMLElement>(sel as string);
        const m = new RegExp(`(^|,)${l}:(\\d+)`).exec(el?.dataset['rebuilds'] ?? '');
        return !!m && Number(m[2]) > (n);
      },
      [VIEW, LABEL, before] as const,
      { timeout: 60_000, polling: 'raf' },
    );
    await settled(page);
    await saved();
    const strokeGaps = await stopGaps(page);
    const strokeTask = await longestTask(page);
    const d1 = await dataset(page);
    rebuilt = d1['lastRebuilt'] ?? '';
    await page.keyboard.press('Escape');
    // 3. undo → the label it touched re-meshed (no full rebuild)
    const fullBefore = Number(d1['fullBuilds']);
    const rebuiltBefore = Number(d1['rebuilds']?.split(',').find((kv) => kv.startsWith(`${LABEL}:`))?.split(':')[1] ?? 0);
    await startGaps(page);
    await page.keyboard.press('Control+z');
    await page.waitForFunction(
      ([sel, l, n]) => {
        const m = new RegExp(`(^|,)${l}:(\\d+)`).exec(document.querySelector<HTMLElement>(sel as string)?.dataset['rebuilds'] ?? '');
        return !!m && Number(m[2]) > (n);
      },
      [VIEW, LABEL, rebuiltBefore] as const,
      { timeout: 60_000, polling: 'raf' },
    );
    await settled(page);
    await saved();
    const undoGaps = await stopGaps(page);
    const undoTask = await longestTask(page);
    const d2 = await dataset(page);
    undoRebuilt = d2['lastRebuilt'] ?? '';
    if (Number(d2['fullBuilds']) !== fullBefore) throw new Error(`undo made a full rebuild (${d2['fullBuilds']} after ${fullBefore})`);
    console.log(`round ${r}${warm ? ' (warm-up)' : ''}: open ${openMs} ms (gap ${max(openGaps).toFixed(0)}, work ${d0['workMaxMs']}), ` +
      `stroke ${d1['lastUpdateMs']} ms (gap ${max(strokeGaps).toFixed(0)} vs 1×3 ${max(strokeGaps13).toFixed(0)}, work ${d1['workMaxMs']}, rebuilt ${rebuilt}), ` +
      `undo ${d2['lastUpdateMs']} ms (gap ${max(undoGaps).toFixed(0)} vs 1×3 ${max(undoGaps13).toFixed(0)}, work ${d2['workMaxMs']}), idle median ${median(idle).toFixed(1)} max ${max(idle).toFixed(1)} (1×3 ${max(idle13).toFixed(1)}); ` +
      `long tasks: open ${openTask.toFixed(0)}, stroke ${strokeTask.toFixed(0)} (1×3 ${strokeTask13.toFixed(0)}), undo ${undoTask.toFixed(0)} (1×3 ${undoTask13.toFixed(0)})`);
    console.log(`  redraw ${redraw} ms; frames (hand-over+render ms): open ${d0['frameLog']} | undo ${d2['frameLog']}`);
    if (warm) continue;
    s.redraw.push(redraw);
    s.open.push(openMs);
    s.openGap.push(max(openGaps));
    s.openWork.push(Number(d0['workMaxMs']));
    s.stroke.push(Number(d1['lastUpdateMs']));
    s.strokeGap.push(max(strokeGaps));
    s.strokeWork.push(Number(d1['workMaxMs']));
    s.undo.push(Number(d2['lastUpdateMs']));
    s.undoGap.push(max(undoGaps));
    s.undoWork.push(Number(d2['workMaxMs']));
    s.strokeGap13.push(max(strokeGaps13));
    s.undoGap13.push(max(undoGaps13));
    if (idle.length) s.idleGap.push(median(idle)); // (a loaded machine can leave a round without any frame)
    s.idleMax.push(max(idle));
    s.idleMax13.push(max(idle13));
    s.openTask.push(openTask);
    s.strokeTask.push(strokeTask);
    s.undoTask.push(undoTask);
    s.strokeTask13.push(strokeTask13);
    s.undoTask13.push(undoTask13);
  }
  await app.close();

  const m = Object.fromEntries(Object.entries(s).map(([k, v]) => [k, median(v)])) as Record<keyof typeof s, number>;
  const worst = (xs: number[]): number => Math.max(...xs);
  const figures: BenchFigure[] = [
    figure('view3d-open-full-build', 'ms', m.open, m.idleGap, runs, { series: SERIES, size, labels: meshed, triangles }),
    figure('view3d-stroke-to-frame', 'ms', m.stroke, m.idleGap, runs, { label: LABEL, rebuilt, worst: worst(s.stroke) }),
    figure('view3d-undo-to-frame', 'ms', m.undo, m.idleGap, runs, { rebuilt: undoRebuilt, worst: worst(s.undo) }),
    figure('view3d-main-thread-slice-full-build', 'ms', worst(s.openWork), m.idleGap, runs, { median: m.openWork }),
    figure('view3d-main-thread-slice-stroke', 'ms', worst(s.strokeWork), m.idleGap, runs, { median: m.strokeWork }),
    figure('view3d-main-thread-slice-undo', 'ms', worst(s.undoWork), m.idleGap, runs, { median: m.undoWork }),
    figure('view3d-redraw', 'ms', m.redraw, m.idleGap, runs, { worst: worst(s.redraw), note: 'render() with every surface uploaded' }),
    figure('view3d-longest-frame-full-build', 'ms', m.openGap, m.idleGap, runs, { worst: worst(s.openGap), idleWorst: worst(s.idleMax) }),
    figure('view3d-longest-frame-stroke', 'ms', m.strokeGap, m.strokeGap13, runs, { worst: worst(s.strokeGap), baselineIs: 'same stroke in 1×3 (no 3-D view)' }),
    figure('view3d-longest-frame-undo', 'ms', m.undoGap, m.undoGap13, runs, { worst: worst(s.undoGap), baselineIs: 'same undo in 1×3 (no 3-D view)' }),
    figure('view3d-longest-task-undo-1x3', 'ms', worst(s.undoTask13), m.idleGap, runs, { median: m.undoTask13, note: '0 = no task ≥ 50 ms' }),
  ];
  const met = (ok: boolean): string => (ok ? '**met**' : '**not met**');
  const work = Math.max(worst(s.openWork), worst(s.strokeWork), worst(s.undoWork));
  const task = (xs: number[]): string => (worst(xs) === 0 ? 'none' : `${median(xs).toFixed(0)} / ${worst(xs).toFixed(0)}`);
  const md = `## 3-D label view in the app: build, stroke and undo rebuilds, frames (Chromium)

Command: \`node bin/run-ts.mjs bench/view3d.bench.ts --runs ${runs}\` — ${machineLine()}; Debian Chromium with
\`--use-angle=gl-egl\` (Mesa llvmpipe: software GL). Real web server and SQLite store; series \`${SERIES}\` (${size},
labels ${meshed}; ${triangles.toLocaleString('en-US')} triangles). ${runs} rounds after one warm-up round; each round: in 1×3 (no 3-D
view) a brush stroke of label ${LABEL} into background, its undo, 1 s idle; switch to 2×2 (the 3-D view mounts, the worker builds
every surface, the meshes go to vtk.js in parts of 12 k triangles under a per-frame budget that follows the measured
frames); 1.5 s idle; the same stroke (the 3-D view re-meshes the label); undo (the edit session reports the undo's
diff: only the labels it touched are re-meshed — rebuilt: ${undoRebuilt}; the label list follows the diff, no recount);
back to 1×3 (view disposed).

- *stroke → frame* and *undo → frame*: in the page, from the edit reaching the 3-D view (useEditing's label-change
  channel) to the end of the frame that shows every re-meshed surface.
- *main-thread slice*: the 3-D view's own longest synchronous piece per frame (mesh hand-over + \`render()\`), measured in
  the page (also in the page's timeline as \`view3d:frame\` measures); the worker's meshing and the slice views are not in it.
- *frame gap*: time between consecutive \`requestAnimationFrame\` callbacks during the phase (everything on the page's
  main thread and the GPU process, plus whatever else the shared machine ran); compared with the idle page and with the
  same edit in 1×3 where there is no 3-D view.
- *long tasks*: the page's main-thread tasks of 50 ms or more during the phase (PerformanceObserver \`longtask\`;
  median / worst of the rounds' longest, "none" = no such task in any round): the app's own work, apart from GPU and machine load.

| Measure | median (ms) | worst (ms) | baseline (ms) |
|---|---:|---:|---:|
| switch to 2×2 → all surfaces drawn (from Node: mount, worker build, uploads) | ${m.open.toFixed(0)} | ${worst(s.open).toFixed(0)} | |
| stroke → frame with the re-meshed label (rebuilt: ${rebuilt}) | ${m.stroke.toFixed(0)} | ${worst(s.stroke).toFixed(0)} | |
| undo → frame with the re-meshed label (rebuilt: ${undoRebuilt}) | ${m.undo.toFixed(0)} | ${worst(s.undo).toFixed(0)} | |
| 3-D view main-thread slice: full build | ${m.openWork.toFixed(1)} | ${worst(s.openWork).toFixed(1)} | |
| 3-D view main-thread slice: stroke rebuild | ${m.strokeWork.toFixed(1)} | ${worst(s.strokeWork).toFixed(1)} | |
| 3-D view main-thread slice: undo rebuild | ${m.undoWork.toFixed(1)} | ${worst(s.undoWork).toFixed(1)} | |
| 3-D view re-render, all surfaces uploaded, nothing handed over (\`render()\` only) | ${m.redraw.toFixed(1)} | ${worst(s.redraw).toFixed(1)} | |
| longest frame gap: switch + full build | ${m.openGap.toFixed(1)} | ${worst(s.openGap).toFixed(1)} | idle 2×2: median frame ${m.idleGap.toFixed(1)}, longest ${worst(s.idleMax).toFixed(1)}; idle 1×3: longest ${worst(s.idleMax13).toFixed(1)} |
| longest frame gap: stroke release → rebuilt frame, saved | ${m.strokeGap.toFixed(1)} | ${worst(s.strokeGap).toFixed(1)} | same in 1×3: ${m.strokeGap13.toFixed(1)} (worst ${worst(s.strokeGap13).toFixed(1)}) |
| longest frame gap: undo → rebuilt frame, saved | ${m.undoGap.toFixed(1)} | ${worst(s.undoGap).toFixed(1)} | same in 1×3: ${m.undoGap13.toFixed(1)} (worst ${worst(s.undoGap13).toFixed(1)}) |
| long tasks ≥ 50 ms (median / worst): switch + full build · stroke · undo | ${task(s.openTask)} · ${task(s.strokeTask)} · ${task(s.undoTask)} | | 1×3: stroke ${task(s.strokeTask13)} · undo ${task(s.undoTask13)} |

Goals (issue 13, item 2): one-label rebuild ≤ ${REBUILD_GOAL_MS} ms: worst stroke ${worst(s.stroke).toFixed(0)} ms, undo ${worst(s.undo).toFixed(0)} ms — ${met(Math.max(worst(s.stroke), worst(s.undo)) <= REBUILD_GOAL_MS)}.
No UI frame > ${FRAME_GOAL_MS} ms: the 3-D view's own longest main-thread slice is ${work.toFixed(1)} ms — ${met(work <= FRAME_GOAL_MS)}.
`;
  writeResults('view3d', figures, md);
  console.log(md);
} finally {
  await app.close();
}
