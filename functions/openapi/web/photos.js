// The photos dropped on the page: each is created as an asset (POST /api/v1/assets), posted to the
// presigned form the answer holds, and followed until the service has checked it (READY or REJECTED).
// With a recipe, the upload names it, and the job the service starts for it is followed too.
import { call, postForm } from "./api.js";
import { followJob } from "./jobs.js";
import "./photo-card.js";
import { showResult } from "./results.js";

const TYPES = { jpg: "image/jpeg", jpeg: "image/jpeg", png: "image/png", webp: "image/webp" };
const UPLOADS_AT_ONCE = 3;
const CHECK_EVERY_MS = 750;
const CHECK_FOR_MS = 5 * 60 * 1000;

export const photos = [];
let list;
let counter = 0;
let running = 0;
const queue = [];

export function setList(element) {
  list = element;
}

/** The content type the API takes for a file: its own if accepted, else its extension's; "" if none. */
export function contentType(file) {
  if (Object.values(TYPES).includes(file.type)) return file.type;
  const ext = file.name.includes(".") ? file.name.split(".").pop().toLowerCase() : "";
  return file.type ? "" : TYPES[ext] || "";
}

export function update(photo, changes = {}) {
  Object.assign(photo, changes);
  photo.card.render(photo);
}

const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

/** Adds files to the page and uploads them (a few at a time). */
export function addFiles(files, { recipe = "", metadata } = {}) {
  for (const file of files) {
    counter += 1;
    const photo = { key: counter, file, name: file.name, state: "uploading", message: "", recipe };
    const item = document.createElement("li");
    photo.card = document.createElement("photo-card");
    item.append(photo.card);
    list.append(item);
    photos.push(photo);
    const type = contentType(file);
    if (!type) {
      update(photo, { state: "skipped", message: "not a JPEG, PNG or WebP file" });
      photo.settled = Promise.resolve();
      continue;
    }
    photo.thumbnail = URL.createObjectURL(file);
    update(photo);
    photo.settled = new Promise((resolve) => {
      queue.push(() => upload(photo, type, metadata).finally(resolve));
    });
  }
  pump();
}

function pump() {
  while (running < UPLOADS_AT_ONCE && queue.length) {
    running += 1;
    queue.shift()().finally(() => {
      running -= 1;
      pump();
    });
  }
}

async function upload(photo, type, metadata) {
  try {
    const body = { filename: photo.name, content_type: type };
    if (metadata) body.metadata = metadata;
    if (photo.recipe) body.recipe = photo.recipe;
    const created = await call("POST", "assets", { body });
    update(photo, { assetId: created.asset_id });
    await postForm(created.upload, photo.file);
    update(photo, { state: "checking" });
    const asset = await checked(photo);
    if (asset.status === "REJECTED") {
      update(photo, { state: "rejected", message: asset.reason || "not an image it can use" });
    } else if (photo.recipe) {
      await recipeJob(photo, asset);
    } else {
      update(photo, { state: "ready" });
    }
  } catch (error) {
    update(photo, { state: "failed", message: error.describe ? error.describe() : String(error) });
  }
}

/** The asset once checked (and, with a recipe, once its job is known). */
async function checked(photo) {
  const until = Date.now() + CHECK_FOR_MS;
  for (;;) {
    const asset = await call("GET", `assets/${photo.assetId}`);
    update(photo, { asset });
    const known = asset.status !== "PENDING" && (!photo.recipe || asset.status === "REJECTED"
      || asset.recipe_job_id !== undefined || asset.recipe_error !== undefined);
    if (known) return asset;
    if (Date.now() > until) throw new Error("the service has not checked the upload after 5 minutes");
    await sleep(CHECK_EVERY_MS);
  }
}

async function recipeJob(photo, asset) {
  if (asset.recipe_error) {
    update(photo, { state: "error", message: `the recipe did not start: ${asset.recipe_error}` });
    return;
  }
  update(photo, { state: "processing", jobId: asset.recipe_job_id });
  const job = await followJob(asset.recipe_job_id, () => {});
  const output = job.output.find((o) => o.asset_id === photo.assetId) || job.output[0];
  const failure = job.error.find((e) => e.asset_id === photo.assetId);
  if (output) {
    await showResult(photo, output, `recipe ${photo.recipe}`);
    update(photo, { state: "done" });
  } else {
    update(photo, { state: "error", message: failure ? failure.error : "the job made no result" });
  }
}
