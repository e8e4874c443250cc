// Following a job: its status route is read until every asset has an outcome (OK or ERROR).
import { call } from "./api.js";

const POLL_MS = 1000;
const GIVE_UP_MS = 15 * 60 * 1000;

const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

/** Polls GET .../jobs/{id}, calling onStatus(job) with each answer; returns the finished job. */
export async function followJob(jobId, onStatus) {
  const until = Date.now() + GIVE_UP_MS;
  for (;;) {
    const job = await call("GET", `assets/addons/image_graphics/jobs/${encodeURIComponent(jobId)}`);
    await onStatus(job);
    if (job.status !== "QUEUED") return job;
    if (Date.now() > until) throw new Error(`job ${jobId} has not finished after 15 minutes`);
    await sleep(POLL_MS);
  }
}
