// Saved recipes: listed a page at a time (GET /api/v1/recipes: limit, next), shown as JSON, and saved
// from the request editor (PUT /api/v1/recipes/{name}: the editor holds a recipe's very shape).
import { call } from "./api.js";

const PAGE = 20;
const recipes = new Map();
let next = null;
let elements;

export function setElements(given) {
  elements = given;  // {select, more, status, detail}
  elements.select.addEventListener("change", showSelected);
  elements.more.addEventListener("click", () => loadRecipes({ more: true }));
}

function showSelected() {
  const recipe = recipes.get(elements.select.value);
  elements.detail.hidden = !recipe;
  elements.detail.textContent = recipe
    ? JSON.stringify({ options: recipe.options, operations: recipe.operations, ...(recipe.webhook ? { webhook: recipe.webhook } : {}) }, null, 2)
    : "";
}

/** The first page of recipes, or with {more: true} the next one, into the select. */
export async function loadRecipes({ more = false } = {}) {
  const { select, more: moreButton, status } = elements;
  if (!more) {
    recipes.clear();
    next = null;
    const chosen = select.value;
    select.replaceChildren(new Option("None: pick a look below", ""));
    select.value = chosen;
  }
  status.textContent = "Reading the recipes…";
  try {
    const page = await call("GET", "recipes", { query: { limit: PAGE, next: more ? next : undefined } });
    for (const recipe of page.recipes) {
      recipes.set(recipe.name, recipe);
      select.append(new Option(recipe.name, recipe.name));  // text, never markup
    }
    next = page.next || null;
    moreButton.hidden = !next;
    status.textContent = recipes.size ? `${recipes.size} recipe${recipes.size === 1 ? "" : "s"}${next ? " so far" : ""}.`
      : "No saved recipes yet: save one from the request below.";
  } catch (error) {
    status.textContent = `The recipes could not be read: ${error.describe ? error.describe() : error}`;
  }
  showSelected();
}

export function chosenRecipe() {
  return elements.select.value;
}

/** PUT the recipe; a 400's errors are returned for the editor to show, anything else is thrown. */
export async function saveRecipe(name, value) {
  return call("PUT", `recipes/${encodeURIComponent(name)}`, { body: value });
}
