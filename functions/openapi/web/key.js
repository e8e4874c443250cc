// The API key the person typed: this tab's session storage only (gone when the tab closes), never
// localStorage, a cookie or a URL; the page sends it only as the Authorization header.
const NAME = "imagegraphics.apiKey";

export function getKey() {
  return sessionStorage.getItem(NAME) || "";
}

export function setKey(key) {
  sessionStorage.setItem(NAME, key);
}

export function forgetKey() {
  sessionStorage.removeItem(NAME);
}

/** Why a typed key cannot be used, or "" when it can: a header carries only visible ASCII. */
export function keyProblem(key) {
  if (!key) return "Type your API key first.";
  if (!/^[\x21-\x7e]+$/.test(key)) return "An API key holds only visible ASCII characters, without spaces.";
  return "";
}
