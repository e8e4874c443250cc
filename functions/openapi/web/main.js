// The app page: the key, the photos, the look and its request, the job, the results.
import { forgetKey, getKey, keyProblem, setKey } from "./key.js";
import "./json-editor.js";
import { LOOK_NAMES, lookRequest, pretty } from "./looks.js";
import { addFiles, setList } from "./photos.js";
import { chosenRecipe, loadRecipes, saveRecipe, setElements as setRecipeElements } from "./recipes.js";
import { downloadAll, setContainer } from "./results.js";
import { editorErrors } from "./request.js";
import { runRequest } from "./run.js";

const $ = (id) => document.getElementById(id);
const editor = $("request");
const lookForm = $("look-form");

// ---------------------------------------------------------------- the key
function showKeyState(message = "") {
  const inUse = Boolean(getKey());
  $("forget-key").hidden = !inUse;
  $("key-status").className = message && !inUse ? "error" : "hint";
  $("key-status").textContent = message || (inUse
    ? "A key is in use in this tab (kept in session storage only; it goes only in the Authorization header)."
    : "Kept in this browser tab only (session storage) and sent only in the Authorization header of the API's requests.");
}

$("key-form").addEventListener("submit", (event) => {
  event.preventDefault();  // never a form submission: the key must not reach a URL
  const key = $("key").value.trim();
  const problem = keyProblem(key);
  if (problem) {
    showKeyState(problem);
    $("key").focus();
    return;
  }
  setKey(key);
  $("key").value = "";
  showKeyState();
  loadRecipes();
});

$("forget-key").addEventListener("click", () => {
  forgetKey();
  showKeyState("The key is forgotten. Type a key to go on.");
  $("key").focus();
});

function needKey() {
  if (getKey()) return false;
  showKeyState("Type your API key first.");
  $("key").focus();
  return true;
}

// ---------------------------------------------------------------- photos
setList($("photo-list"));

function metadata() {
  const text = $("metadata").value.trim();
  const error = $("metadata-error");
  error.hidden = true;
  if (!text) return {};
  try {
    const value = JSON.parse(text);
    if (value && typeof value === "object" && !Array.isArray(value)) return { metadata: value };
    error.textContent = "Metadata must be a JSON object, e.g. {\"owner\": \"studio\"}.";
  } catch (problem) {
    error.textContent = `Metadata is not valid JSON: ${problem.message}`;
  }
  error.hidden = false;
  return undefined;
}

function take(files) {
  if (!files.length || needKey()) return;
  const extra = metadata();
  if (extra === undefined) {
    $("metadata").focus();
    return;
  }
  addFiles(files, { recipe: chosenRecipe(), ...extra });
}

$("files").addEventListener("change", () => {
  take([...$("files").files]);
  $("files").value = "";
});
const drop = $("drop");
drop.addEventListener("dragover", (event) => {
  event.preventDefault();
  drop.classList.add("over");
});
drop.addEventListener("dragleave", () => drop.classList.remove("over"));
drop.addEventListener("drop", (event) => {
  event.preventDefault();
  drop.classList.remove("over");
  take([...event.dataTransfer.files]);
});

// ---------------------------------------------------------------- looks and the request
function currentLook() {
  return lookForm.elements.look.value;
}

function showLook() {
  const look = currentLook();
  $("colour-field").hidden = look !== "colour";
  $("side-field").hidden = look !== "studio";
  $("subject-field").hidden = look === "custom";
  if (look === "custom") return;
  const side = Number.parseInt($("side").value, 10);
  const request = lookRequest(look, { subject: $("subject").value, colour: $("colour").value,
    side: Number.isFinite(side) ? side : 1000 });
  editor.value = pretty(request);
}

for (const control of [...lookForm.elements.look, $("subject"), $("colour"), $("side")]) {
  control.addEventListener(control.type === "radio" ? "change" : "input", showLook);
}
editor.addEventListener("edited", () => {
  if (currentLook() !== "custom") lookForm.elements.look.value = "custom";
  $("colour-field").hidden = $("side-field").hidden = $("subject-field").hidden = true;
});

lookForm.addEventListener("submit", async (event) => {
  event.preventDefault();
  if (needKey()) return;
  const button = $("run");
  button.disabled = true;
  try {
    await runRequest({ editor, text: $("job-text"), progress: $("job-progress") }, LOOK_NAMES[currentLook()]);
  } catch (error) {
    $("job-text").className = "error";
    $("job-text").textContent = `The job could not be followed: ${error.describe ? error.describe() : error.message}`;
  } finally {
    button.disabled = false;
  }
});

// ---------------------------------------------------------------- recipes
setRecipeElements({ select: $("recipe"), more: $("more-recipes"), status: $("recipes-status"), detail: $("recipe-json") });
$("reload-recipes").addEventListener("click", () => !needKey() && loadRecipes());

$("save-recipe").addEventListener("click", async () => {
  const status = $("save-status");
  const name = $("recipe-name").value.trim();
  if (needKey()) return;
  if (!/^[A-Za-z0-9_-]{1,30}$/.test(name)) {
    status.className = "error";
    status.textContent = "A recipe's name is 1 to 30 letters, digits, - or _.";
    $("recipe-name").focus();
    return;
  }
  const value = editor.parse();
  if (value === undefined) return;
  try {
    await saveRecipe(name, value);
    status.className = "ok";
    status.textContent = `Saved the recipe ${name}.`;
    await loadRecipes();
  } catch (error) {
    status.className = "error";
    status.textContent = `The recipe was not saved: ${error.describe ? error.describe() : error.message}`;
    if (error.errors && error.errors.length) {
      editor.showErrors(`The service refused the recipe (${error.status}): ${error.message}`, editorErrors(error.errors));
    }
  }
});

// ---------------------------------------------------------------- results
setContainer($("results"), (count) => {
  $("download-all").disabled = count === 0;
  $("results-status").textContent = `${count} result${count === 1 ? "" : "s"}: drag the line on a picture, or use the slider under it.`;
});
$("download-all").addEventListener("click", () => downloadAll());

function showStage() {
  const results = $("results");
  const colour = document.querySelector('input[name="stage"]:checked').value === "colour";
  results.classList.toggle("over-colour", colour);
  results.classList.toggle("over-checkerboard", !colour);
  results.style.setProperty("--stage", $("stage-colour").value);
}
for (const control of document.querySelectorAll('input[name="stage"]')) control.addEventListener("change", showStage);
$("stage-colour").addEventListener("input", () => {
  document.querySelector('input[name="stage"][value="colour"]').checked = true;
  showStage();
});

// ---------------------------------------------------------------- start
showKeyState();
showLook();
if (getKey()) loadRecipes();
