// Calls to the API (relative to the page, so under any stage or domain) and to the storage's presigned
// URLs. The key goes only in the Authorization header; nothing here logs.
import { getKey } from "./key.js";

const API = new URL("api/v1/", document.baseURI);

export class ApiError extends Error {
  constructor(status, body) {
    super(body && typeof body.message === "string" ? body.message : `the service answered HTTP ${status}`);
    this.status = status;
    this.errors = body && Array.isArray(body.errors) ? body.errors : [];
    this.requestId = body && typeof body.request_id === "string" ? body.request_id : "";
    this.code = body && typeof body.code === "string" ? body.code : "";
  }

  /** One plain sentence: the status, the message, and the first error's location and text. */
  describe() {
    const where = this.status ? ` (${this.status})` : "";
    const first = this.errors[0];
    const detail = first && typeof first.msg === "string"
      ? `: ${Array.isArray(first.loc) && first.loc.length ? `${first.loc.join(".")}: ` : ""}${first.msg}` : "";
    return `${this.message}${where}${detail}`;
  }
}

export async function call(method, path, { body, query } = {}) {
  const key = getKey();
  if (!key) throw new ApiError(0, { message: "Enter your API key first" });
  const url = new URL(path, API);
  for (const [name, value] of Object.entries(query || {})) {
    if (value !== undefined && value !== null && value !== "") url.searchParams.set(name, String(value));
  }
  const headers = { Authorization: `Bearer ${key}` };
  if (body !== undefined) headers["Content-Type"] = "application/json";
  let response;
  try {
    response = await fetch(url, {
      method, headers, body: body === undefined ? undefined : JSON.stringify(body),
      cache: "no-store", credentials: "omit",
    });
  } catch {
    throw new ApiError(0, { message: "The API could not be reached" });
  }
  const text = await response.text();
  let data = null;
  try {
    data = text ? JSON.parse(text) : null;
  } catch {
    data = null;
  }
  if (!response.ok) throw new ApiError(response.status, data && typeof data === "object" ? data : null);
  return data;
}

function xmlText(xml, tag) {
  const found = new RegExp(`<${tag}>([^<]*)</${tag}>`).exec(xml);
  if (!found) return "";
  const entities = { lt: "<", gt: ">", amp: "&", quot: '"', apos: "'" };
  return found[1].replace(/&(lt|gt|amp|quot|apos);/g, (_, name) => entities[name]);
}

/** Posts `file` to the presigned form `upload` ({url, fields}) from POST /api/v1/assets. */
export async function postForm(upload, file) {
  const form = new FormData();
  for (const [name, value] of Object.entries(upload.fields || {})) form.append(name, value);
  form.append("file", file);  // last: the storage ignores fields after the file
  let response;
  try {
    response = await fetch(upload.url, { method: "POST", body: form, credentials: "omit" });
  } catch {
    throw new ApiError(0, { message: "The upload could not reach the storage (offline, or its CORS rules do not allow this page)" });
  }
  if (response.ok) return;
  const text = await response.text();
  let body = null;
  try {
    body = JSON.parse(text);  // the local stack's upload endpoint answers JSON
  } catch {
    // S3 answers XML: <Error><Code>EntityTooLarge</Code><Message>...</Message></Error>
    const code = xmlText(text, "Code");
    body = { message: [code, xmlText(text, "Message")].filter(Boolean).join(": ") || `HTTP ${response.status}` };
  }
  throw new ApiError(response.status, body);
}

/** The bytes behind a presigned download URL, as a Blob. */
export async function download(url) {
  let response;
  try {
    response = await fetch(url, { credentials: "omit", cache: "no-store" });
  } catch {
    throw new ApiError(0, { message: "The result could not be fetched from the storage (its CORS rules may not allow this page)" });
  }
  if (!response.ok) throw new ApiError(response.status, { message: "The storage refused the result's URL" });
  return response.blob();
}
