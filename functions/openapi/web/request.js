// The request the page sends: the editor's {options, operations, webhook?} for every photo, and the
// service's errors taken back to where they are written in the editor.

const READ_KEYS = ["options", "operations", "webhook"];

/** Problems with the editor's value before anything is sent: [{path, msg}]. */
export function shapeProblems(value) {
  if (value === null || typeof value !== "object" || Array.isArray(value)) {
    return [{ path: [], msg: "the request is a JSON object with operations (and options, webhook)" }];
  }
  const problems = Object.keys(value).filter((key) => !READ_KEYS.includes(key)).map((key) => ({
    path: [key],
    wholeMember: true,
    msg: key === "assets" ? "the page adds the photos as the assets: leave assets out"
      : `not read here: the request holds ${READ_KEYS.join(", ")}`,
  }));
  if (!("operations" in value)) problems.push({ path: [], msg: "operations is required" });
  return problems;
}

/** The Image Graphics request for these asset ids. */
export function submitBody(value, assetIds) {
  const options = value.options === undefined ? {} : value.options;
  const body = { assets: assetIds.map((id) => ({ [id]: { options } })), operations: value.operations };
  if (value.webhook !== undefined) body.webhook = value.webhook;
  return body;
}

/**
 * Where an error of the submitted request is in the editor: {path, asset} where `asset` is the index
 * of the photo it is about (errors of one asset's options are errors of the editor's options).
 */
export function editorPath(loc) {
  if (!Array.isArray(loc)) return { path: [] };
  if (loc[0] === "assets" && typeof loc[1] === "number") {
    return { path: loc[3] === "options" ? loc.slice(3) : ["options"], asset: loc[1] };
  }
  if (loc[0] === "assets") return { path: [] };
  return { path: loc };
}

/** The service's errors grouped by editor place: [{path, msg, assets: [index...], wholeMember}]. */
export function editorErrors(errors) {
  const grouped = new Map();
  for (const error of errors) {
    const { path, asset } = editorPath(error.loc);
    const msg = typeof error.msg === "string" ? error.msg : JSON.stringify(error.msg);
    const key = JSON.stringify([path, msg]);
    // An unknown key is wrong as a whole: its mark covers the key too, not only the value.
    const wholeMember = /^(unknown key|extra inputs)/i.test(msg);
    if (!grouped.has(key)) grouped.set(key, { path, msg, assets: [], wholeMember });
    if (asset !== undefined) grouped.get(key).assets.push(asset);
  }
  return [...grouped.values()];
}
