// The results: each one over its original (<before-after>), with a link to download it, and all of
// them as one zip made here in the page.
import { download } from "./api.js";
import "./before-after.js";
import { safeName, uniqueNames, zip } from "./zip.js";

const EXTENSIONS = { "image/png": ".png", "image/jpeg": ".jpg", "image/webp": ".webp" };
const FORMATS = { "image/png": "PNG", "image/jpeg": "JPEG", "image/webp": "WebP" };
const shown = new Map();  // photo key -> {figure, blob, url, filename}
let container;
let onCount = () => {};

export function setContainer(element, countChanged) {
  container = element;
  onCount = countChanged;
}

const stem = (name) => (name.lastIndexOf(".") > 0 ? name.slice(0, name.lastIndexOf(".")) : name);

async function pixelSize(url) {
  const image = new Image();
  image.src = url;
  await image.decode();
  return { width: image.naturalWidth, height: image.naturalHeight };
}

function sizeText(bytes) {
  return bytes < 1024 * 1024 ? `${(bytes / 1024).toFixed(1)} KB` : `${(bytes / (1024 * 1024)).toFixed(1)} MB`;
}

/** Fetches a job's output for a photo and shows it over the original; `label` says what made it. */
export async function showResult(photo, output, label) {
  const blob = await download(output.url);
  const url = URL.createObjectURL(blob);
  const { width, height } = await pixelSize(url);
  const ext = EXTENSIONS[blob.type] || "";
  const filename = safeName(`${stem(photo.name)}-${stem(output.name)}${ext}`);

  const figure = document.createElement("figure");
  figure.dataset.photo = String(photo.key);
  const compare = document.createElement("before-after");
  const caption = document.createElement("figcaption");
  const name = document.createElement("span");
  name.className = "name";
  name.textContent = photo.name;
  const meta = document.createElement("span");
  meta.className = "meta";
  meta.textContent = `${label} · ${output.name} · ${width} × ${height} · ${FORMATS[blob.type] || blob.type} · ${sizeText(blob.size)}`;
  const link = document.createElement("a");
  link.className = "download";
  link.href = url;
  link.download = filename;
  link.textContent = `Download ${filename}`;
  caption.append(name, meta, link);
  figure.append(compare, caption);

  const previous = shown.get(photo.key);
  if (previous) {
    previous.figure.replaceWith(figure);
    URL.revokeObjectURL(previous.url);
  } else {
    container.append(figure);
  }
  compare.show({ before: photo.thumbnail, after: url, name: photo.name, width, height });
  shown.set(photo.key, { figure, blob, url, filename });
  onCount(shown.size);
}

/** Every result shown, in one zip the browser saves. */
export async function downloadAll() {
  const kept = [...shown.values()];
  const names = uniqueNames(kept.map((result) => result.filename));
  const entries = await Promise.all(kept.map(async (result, i) => ({
    name: names[i], data: new Uint8Array(await result.blob.arrayBuffer()),
  })));
  const url = URL.createObjectURL(zip(entries));
  const link = document.createElement("a");
  link.href = url;
  link.download = "imagegraphics-results.zip";
  document.body.append(link);
  link.click();
  link.remove();
  setTimeout(() => URL.revokeObjectURL(url), 60_000);
}
