// End-to-end test of the dashboard in real Chromium (Debian's /usr/bin/chromium,
// driven by playwright-core): starts `ferrogym serve` on a free loopback port,
// walks every page as a person would, saves a screenshot of each page, and
// stops the server (which must stop its training job). Screenshots go to a
// temporary folder, or to FERROGYM_SCREENSHOTS (the docs' are refreshed with
// FERROGYM_SCREENSHOTS=../docs/images/web), so a test run leaves the checkout as it was.
// Usage: node e2e/run.mjs   (env: CHROMIUM, FERROGYM = command that runs the CLI, FERROGYM_SCREENSHOTS)
import { spawn, spawnSync } from "node:child_process";
import { mkdirSync, mkdtempSync } from "node:fs";
import net from "node:net";
import { tmpdir } from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { chromium } from "playwright-core";

const here = path.dirname(fileURLToPath(import.meta.url));
const shots = process.env.FERROGYM_SCREENSHOTS
  ? path.resolve(process.env.FERROGYM_SCREENSHOTS)
  : mkdtempSync(path.join(tmpdir(), "ferrogym-e2e-shots-"));
mkdirSync(shots, { recursive: true });
const CHROMIUM = process.env.CHROMIUM ?? "/usr/bin/chromium";
const FERROGYM = (process.env.FERROGYM ?? "ferrogym").split(" ");
const FLAGS = [
  "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
  "--disable-background-networking", "--disable-component-update", "--disable-sync",
];

function freePort() {
  return new Promise((resolve, reject) => {
    const srv = net.createServer();
    srv.once("error", reject);
    srv.listen(0, "127.0.0.1", () => {
      const { port } = srv.address();
      srv.close(() => resolve(port));
    });
  });
}

async function waitForServer(base, server, ms = 60_000) {
  const end = Date.now() + ms;
  while (Date.now() < end) {
    if (server.exitCode !== null) throw new Error(`ferrogym serve exited with ${server.exitCode}`);
    try {
      if ((await fetch(`${base}/api/overview`)).ok) return;
    } catch {
      /* not up yet */
    }
    await new Promise((r) => setTimeout(r, 250));
  }
  throw new Error("ferrogym serve did not answer in time");
}

const results = [];
async function check(name, fn) {
  const t0 = Date.now();
  try {
    await fn();
    results.push({ name, ok: true });
    console.log(`PASS ${name} (${((Date.now() - t0) / 1000).toFixed(1)} s)`);
  } catch (e) {
    results.push({ name, ok: false });
    console.log(`FAIL ${name}: ${e.stack ?? e}`);
  }
}

function expect(cond, message) {
  if (!cond) throw new Error(message);
}

const port = await freePort();
const base = `http://127.0.0.1:${port}`;
const runs = mkdtempSync(path.join(tmpdir(), "ferrogym-e2e-"));
// A ferrogym.record Parquet file for the Replay page: three support conversations.
mkdirSync(path.join(runs, "recordings"), { recursive: true });
const recorded = spawnSync(
  FERROGYM[0],
  [...FERROGYM.slice(1), "record", "ferrogym/CustomerSupport-v0", "-o", path.join(runs, "recordings", "support.parquet"),
    "--episodes", "3", "--seed", "5", "--kwargs", '{"scenario": "outage_complaint"}'],
  { stdio: ["ignore", "inherit", "inherit"] },
);
if (recorded.status !== 0) throw new Error(`ferrogym record exited with ${recorded.status}`);
const server = spawn(FERROGYM[0], [...FERROGYM.slice(1), "serve", "--port", String(port), "--runs", runs], {
  stdio: ["ignore", "inherit", "inherit"],
});
let browser;
try {
  await waitForServer(base, server);
  browser = await chromium.launch({ executablePath: CHROMIUM, args: FLAGS, headless: true });
  const page = await browser.newPage({ viewport: { width: 1280, height: 900 } });
  page.setDefaultTimeout(30_000);
  const consoleErrors = [];
  page.on("pageerror", (e) => consoleErrors.push(String(e)));
  const nav = (label) => page.click(`nav >> text=${label}`);
  const shot = (name) => page.screenshot({ path: path.join(shots, `${name}.png`), fullPage: true });

  await check("dashboard loads from the package's built assets", async () => {
    await page.goto(base + "/");
    await page.waitForSelector("[data-testid=tiles] >> text=training jobs running");
  });

  await check("environments: create TicketRouting, step it, the frame changes", async () => {
    await nav("Environments");
    await page.click("[data-testid=create-env]");
    await page.waitForSelector("[data-testid=frame]");
    const before = await page.getAttribute("[data-testid=frame]", "src");
    await page.click("[data-testid=step-policy]");
    await page.waitForFunction(() => document.querySelector("[data-testid=env-step]")?.textContent === "1");
    for (let i = 2; i <= 8; i++) {
      await page.click("[data-testid=step-policy]");
      await page.waitForFunction((n) => document.querySelector("[data-testid=env-step]")?.textContent === String(n), i);
    }
    const after = await page.getAttribute("[data-testid=frame]", "src");
    expect(before && after && before !== after, "the frame did not change after stepping");
    await page.fill("[data-testid=rec-name]", "e2e-rec");
    await page.click("[data-testid=save-recording]");
    await page.waitForSelector("[data-testid=saved]");
    await shot("environments");
  });

  await check("environments: a masked action is refused with a clear message", async () => {
    await page.fill("[data-testid=action]", "11");
    await page.click("[data-testid=step-action]");
    const text = await page.textContent("[data-testid=error]");
    expect(text.includes("invalid action 11"), `unexpected error text: ${text}`);
  });

  await check("training: start a short job, the curve updates over WebSocket, survives a reload", async () => {
    await nav("Training");
    await page.fill("[data-testid=job-steps]", "4000");
    await page.fill("[data-testid=job-nsteps]", "64");
    await page.click("[data-testid=start-job]");
    await page.waitForFunction(() => Number(document.querySelector("[data-testid=episodes]")?.textContent) >= 2, null, {
      timeout: 120_000,
    });
    const first = Number(await page.textContent("[data-testid=episodes]"));
    await page.waitForFunction(
      (n) => Number(document.querySelector("[data-testid=episodes]")?.textContent) > n, first, { timeout: 120_000 });
    expect((await page.$$(".recharts-line path.recharts-curve")).length > 0, "no curve drawn");
    await page.reload();
    await page.waitForFunction(() => Number(document.querySelector("[data-testid=episodes]")?.textContent) >= 2);
    await page.waitForSelector("[data-testid=job-live] >> text=finished", { timeout: 180_000 });
    await page.waitForSelector("[data-testid^=job-status-] >> text=finished");
    await page.waitForSelector("[data-testid=job-kpis] >> text=resolution_mean");
    await shot("training");
  });

  await check("models: evaluate the trained model against the heuristics", async () => {
    await nav("Models");
    await page.waitForSelector("td[data-testid^=model-]");
    await page.fill("[data-testid=eval-episodes]", "3");
    await page.click("[data-testid=evaluate]");
    await page.waitForSelector("[data-testid=kpi-table]", { timeout: 120_000 });
    const headers = await page.$$eval("[data-testid=kpi-table] th", (ths) => ths.map((t) => t.textContent));
    expect(headers.some((h) => h.includes("least-loaded")), `no heuristic column: ${headers}`);
  });

  await check("models: predict for a new env of the model's config, then step it with the chosen action", async () => {
    await page.click("[data-testid=predict-run]");
    await page.waitForSelector("[data-testid=prediction] [data-testid=predicted-action]");
    const rows = await page.$$eval("[data-testid=prediction] tbody tr", (trs) => trs.map((t) => t.textContent));
    expect(rows.length === 12, `expected 12 engineer slots, got ${rows.length}`);
    const probs = await page.$$eval("[data-testid=prediction] tbody tr td:nth-child(2)", (tds) => tds.map((t) => Number(t.textContent)));
    const total = probs.reduce((a, b) => a + b, 0);
    expect(Math.abs(total - 1) < 0.01, `probabilities sum to ${total}`);
    const before = await page.getAttribute("[data-testid=predict] [data-testid=frame]", "src");
    await page.click("[data-testid=predict-step]");
    await page.waitForFunction(() => document.querySelector("[data-testid=predict] [data-testid=env-step]")?.textContent === "1");
    const after = await page.getAttribute("[data-testid=predict] [data-testid=frame]", "src");
    expect(before !== after, "the frame did not change after stepping with the predicted action");
    await shot("models");
  });

  await check("scenarios: run a TicketRouting scenario step by step", async () => {
    await nav("Scenarios");
    await page.click("[data-testid='scenario-step-TicketRouting:understaffed']");
    await page.waitForSelector("[data-testid=scenario-session] [data-testid=frame]");
    await page.click("[data-testid=step-policy]");
    await page.waitForFunction(() => document.querySelector("[data-testid=env-step]")?.textContent === "2");
  });

  await check("scenarios: a customer-support conversation with the rule baseline, step by step then to the end", async () => {
    const name = "CustomerSupport:fraud_report";
    await page.selectOption(`[data-testid='scenario-policy-${name}']`, "rule");
    await page.click(`[data-testid='scenario-step-${name}']`);
    await page.waitForSelector("[data-testid=transcript] tbody tr");
    const first = await page.textContent("[data-testid=transcript] tbody tr");
    expect(first.includes("apologetic"), `the rule should apologise to an upset customer first: ${first}`);
    await page.click("[data-testid=scenario-session] [data-testid=step-policy]");
    await page.waitForFunction(() => document.querySelectorAll("[data-testid=transcript] tbody tr").length === 2);
    const second = (await page.$$eval("[data-testid=transcript] tbody tr", (trs) => trs.map((t) => t.textContent)))[1];
    expect(second.includes("empathetic"), `then show empathy (the rule remembers its last strategy): ${second}`);
    await page.click("[data-testid=scenario-session] [data-testid=run-end]");
    await page.waitForSelector("[data-testid=transcript-ending] >> text=ended:");
    const ending = await page.textContent("[data-testid=transcript-ending]");
    expect(/resolved|abandoned|escalated|turn limit/.test(ending), `no ending: ${ending}`);
    await shot("scenarios");
  });

  await check("replay: open the recording and scrub the timeline", async () => {
    await nav("Replay");
    await page.click("[data-testid=recording-e2e-rec]");
    await page.waitForSelector("[data-testid=replay] [data-testid=frame]");
    const start = await page.getAttribute("[data-testid=replay] [data-testid=frame]", "src");
    await page.focus("[data-testid=scrubber]");
    for (let i = 0; i < 5; i++) await page.keyboard.press("ArrowRight");
    await page.waitForSelector("[data-testid=replay-step] >> text=step 5 / 8");
    await page.waitForFunction(
      (s) => document.querySelector("[data-testid=replay] [data-testid=frame]")?.getAttribute("src") !== s, start);
  });

  await check("replay: open a ferrogym.record Parquet file, pick an episode, scrub to its end", async () => {
    await page.click("[data-testid='recording-support.parquet']");
    await page.waitForSelector("[data-testid=replay-episode] option >> nth=2", { state: "attached" });
    await page.selectOption("[data-testid=replay-episode]", "1");
    await page.waitForSelector("[data-testid=replay] [data-testid=frame]");
    expect((await page.textContent("[data-testid=replay-source]")) === "recorded state", "step 0 should come from its recorded state");
    const label = await page.textContent("[data-testid=replay-step]");
    const steps = Number(label.split("/")[1]);
    expect(steps > 0, `no steps in episode 1: ${label}`);
    await page.focus("[data-testid=scrubber]");
    await page.keyboard.press("End");
    await page.waitForSelector(`[data-testid=replay-step] >> text=step ${steps} / ${steps}`);
    await page.waitForFunction(() => document.querySelector("[data-testid=replay-source]")?.textContent === "re-simulated");
    await page.waitForSelector("[data-testid=replay] [data-testid=components] >> text=resolution");
    await shot("replay");
  });

  await check("training: a CustomerSupport job with a curriculum streams its level beside the return", async () => {
    await nav("Training");
    await page.click("[data-testid=support-curriculum]");
    await page.fill("[data-testid=job-curriculum]", JSON.stringify({
      levels: [
        { name: "calm", knobs: { upset_share: 0.0, patience: 1.5, sentiment_noise: 0.05 } },
        { name: "some_upset", knobs: { upset_share: 0.3 } },
        { name: "full", knobs: { upset_share: 0.7, patience: 0.7 } },
      ],
      promote_at: 0.3, demote_below: 0.0, window: 20, min_episodes: 10,
    }));
    await page.fill("[data-testid=job-steps]", "3000");
    await page.fill("[data-testid=job-nsteps]", "64");
    await page.click("[data-testid=start-job]");
    await page.waitForSelector("[data-testid=curriculum-levels] >> text=some_upset", { timeout: 180_000 });
    await page.waitForSelector("[data-testid=job-live] >> text=finished", { timeout: 180_000 });
    await shot("training-curriculum");
  });

  await check("calibrate: upload the Zendesk sample, see the verdict and a figure, compare policies on the history", async () => {
    await nav("Calibrate");
    await page.waitForSelector("[data-testid=cal-preset] option[value=zendesk]", { state: "attached" });
    await page.setInputFiles("[data-testid=cal-file]", path.resolve(here, "../../examples/data/zendesk_sample.csv"));
    await page.selectOption("[data-testid=cal-preset]", "zendesk");
    await page.click("[data-testid=cal-upload]");
    await page.waitForSelector("[data-testid=cal-verdict] >> text=fitted scenario", { timeout: 60_000 });
    expect((await page.textContent("[data-testid=cal-period]")).includes("249 tickets"), "the sample has 249 tickets");
    await page.waitForFunction(() => {
      const img = document.querySelector("[data-testid='cal-figure-arrivals.png']");
      return img && img.complete && img.naturalWidth > 0;
    });
    await page.waitForSelector("[data-testid=cal-table-work] tbody tr");
    await page.click("[data-testid=cal-compare]");
    await page.waitForSelector("[data-testid=cal-kpi-table] >> text=resolution_mean", { timeout: 60_000 });
    const heads = await page.$$eval("[data-testid=cal-kpi-table] th", (ths) => ths.map((t) => t.textContent));
    expect(heads.some((h) => h.startsWith("least-loaded")), `no least-loaded column: ${heads}`);
    await shot("calibrate");
  });

  await check("dashboard: lists the finished job and the open envs", async () => {
    await nav("Dashboard");
    await page.waitForSelector("td.status-finished");
    await page.waitForSelector("text=Open environments");
    await shot("dashboard");
  });

  await check("no uncaught errors in the page", async () => {
    expect(consoleErrors.length === 0, consoleErrors.join("\n"));
  });
} finally {
  await browser?.close();
  server.kill("SIGINT");
  const code = await new Promise((r) => {
    const t = setTimeout(() => { server.kill("SIGKILL"); r("killed"); }, 20_000);
    server.once("exit", (c) => { clearTimeout(t); r(c); });
  });
  results.push({ name: `server stops on SIGINT (exit ${code})`, ok: code !== "killed" });
}
const failed = results.filter((r) => !r.ok).length;
console.log(`${results.length - failed} passed, ${failed} failed`);
process.exit(failed ? 1 : 0);
