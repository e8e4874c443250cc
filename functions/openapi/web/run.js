// Applying the request in the editor to every photo the service has checked: one job, followed until
// it ends, each result shown as soon as the job lists it.
import { ApiError, call } from "./api.js";
import { followJob } from "./jobs.js";
import { photos, update } from "./photos.js";
import { editorErrors, shapeProblems, submitBody } from "./request.js";
import { showResult } from "./results.js";

/** {editor, text, progress}: where the request is and where the job's progress is told. */
export async function runRequest({ editor, text, progress }, label) {
  const say = (message, tone = "hint") => {
    text.textContent = message;
    text.className = tone;
  };
  const value = editor.parse();
  if (value === undefined) return say("The request is not valid JSON: see where under it.", "error");
  const problems = shapeProblems(value);
  if (problems.length) {
    editor.showErrors("The request cannot be sent as it is.", problems);
    return say("The request cannot be sent as it is: see the errors under it.", "error");
  }
  const pending = photos.filter((p) => p.state === "uploading" || p.state === "checking");
  if (pending.length) {
    say(`Waiting for ${pending.length} photo${pending.length === 1 ? "" : "s"} to be checked…`);
    await Promise.all(pending.map((p) => p.settled));
  }
  const ready = photos.filter((p) => p.assetId && p.asset && p.asset.status === "READY");
  if (!ready.length) return say("No photo is ready: drop or choose some photos first.", "error");

  let jobId;
  try {
    ({ job_id: jobId } = await call("POST", "assets/addons/image_graphics", {
      body: submitBody(value, ready.map((p) => p.assetId)) }));
  } catch (error) {
    if (!(error instanceof ApiError)) throw error;
    if (error.errors.length) {
      editor.showErrors(`The service refused the request (${error.status}): ${error.message}`,
        editorErrors(error.errors).map((e) => ({
          ...e, note: e.assets.length ? `for ${e.assets.map((i) => ready[i] ? ready[i].name : `photo ${i + 1}`).join(", ")}` : "",
        })));
    }
    return say(`The service refused the request: ${error.describe()}`, "error");
  }

  ready.forEach((photo) => update(photo, { state: "waiting", message: "", jobId }));
  progress.hidden = false;
  progress.max = ready.length;
  progress.value = 0;
  const handled = new Set();
  const byAsset = new Map(ready.map((photo) => [photo.assetId, photo]));
  const job = await followJob(jobId, async (status) => {
    const { done, total, succeeded, failed } = status.progress;
    progress.max = total;
    progress.value = done;
    say(`Job ${jobId}: ${done} of ${total} done (${succeeded} succeeded, ${failed} failed)${status.status === "QUEUED" ? "…" : "."}`,
      status.status === "ERROR" ? "error" : "hint");
    if (status.status === "QUEUED") {
      ready.filter((p) => p.state === "waiting").forEach((p) => update(p, { state: "processing" }));
    }
    for (const output of status.output) {
      if (handled.has(`o${output.asset_id}${output.name}`)) continue;
      handled.add(`o${output.asset_id}${output.name}`);
      const photo = byAsset.get(output.asset_id) || await sourcePhoto(output.asset_id, byAsset);
      if (!photo) continue;
      try {
        await showResult(photo, output, label);
        update(photo, { state: "done", message: "" });
      } catch (error) {
        update(photo, { state: "error", message: error.describe ? error.describe() : String(error) });
      }
    }
    for (const failure of status.error) {
      const photo = byAsset.get(failure.asset_id);
      if (photo && !handled.has(`e${failure.asset_id}`)) {
        handled.add(`e${failure.asset_id}`);
        update(photo, { state: "error", message: failure.error });
      }
    }
  });
  return job;
}

/** The photo a new asset was made from (create_asset): the job names the new asset, which names its source. */
async function sourcePhoto(assetId, byAsset) {
  try {
    const made = await call("GET", `assets/${assetId}`);
    return byAsset.get(made.source_asset_id);
  } catch {
    return undefined;
  }
}
