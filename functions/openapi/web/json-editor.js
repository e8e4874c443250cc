// <json-editor label="...">: a JSON text field that shows errors where they are written. Under the
// textarea a layer with the same text marks each error's place; the list below names each place
// (line, column, path) and selects it in the text when chosen. Every string is set as text.
import { JsonSyntaxError, formatPath, lineColumn, locate, parseJson } from "./jsonpos.js";

let editors = 0;

class JsonEditor extends HTMLElement {
  connectedCallback() {
    if (this.textarea) return;
    editors += 1;
    const id = `json-editor-${editors}`;
    const label = document.createElement("label");
    label.htmlFor = id;
    label.textContent = this.getAttribute("label") || "JSON";
    const box = document.createElement("div");
    box.className = "je-box";
    this.marks = document.createElement("pre");
    this.marks.className = "je-marks";
    this.marks.setAttribute("aria-hidden", "true");
    this.textarea = document.createElement("textarea");
    Object.assign(this.textarea, { id, spellcheck: false, autocomplete: "off", wrap: "soft", rows: 8 });
    this.textarea.setAttribute("autocapitalize", "off");
    this.textarea.setAttribute("aria-describedby", `${id}-summary ${id}-errors`);
    box.append(this.marks, this.textarea);
    this.summary = document.createElement("p");
    this.summary.id = `${id}-summary`;
    this.summary.className = "error";
    this.summary.hidden = true;
    this.list = document.createElement("ul");
    this.list.id = `${id}-errors`;
    this.list.className = "je-errors";
    this.append(label, box, this.summary, this.list);
    this.textarea.addEventListener("input", () => {
      this.clearErrors();  // the marks would no longer sit on the text they meant
      this.fit();
      this.dispatchEvent(new Event("edited"));
    });
    new ResizeObserver(() => this.fit()).observe(box);
  }

  get value() {
    return this.textarea.value;
  }

  set value(text) {
    this.textarea.value = text;
    this.clearErrors();
    this.fit();
  }

  focus() {
    this.textarea.focus();
  }

  /** The textarea grows with its text, so it never scrolls apart from the layer of marks. */
  fit() {
    this.textarea.style.height = "auto";
    this.textarea.style.height = `${this.textarea.scrollHeight}px`;
  }

  /** The parsed value, or undefined after showing where the text is not JSON. */
  parse() {
    try {
      return parseJson(this.value).value;
    } catch (error) {
      if (!(error instanceof JsonSyntaxError)) throw error;
      this.showMarked("The request is not valid JSON.", [{ start: error.offset, end: error.offset + 1, path: null,
        msg: error.message }]);
      return undefined;
    }
  }

  /** Shows `summary` and each error ({path, msg, note?}) at the place of its path in the text. */
  showErrors(summary, errors) {
    let spans = new Map();
    try {
      spans = parseJson(this.value).spans;
    } catch {
      // Text edited into invalid JSON since it was sent: errors are listed without a place.
    }
    this.showMarked(summary, errors.map((error) => {
      const found = locate(spans, error.path);
      if (!found) return { ...error, start: undefined };
      const start = found.exact && found.keyStart !== undefined && error.wholeMember ? found.keyStart : found.start;
      return { ...error, start, end: found.end, missing: !found.exact };
    }));
  }

  showMarked(summary, errors) {
    this.clearErrors();
    this.summary.textContent = summary;
    this.summary.hidden = false;
    this.textarea.setAttribute("aria-invalid", "true");
    for (const error of errors) this.list.append(this.errorItem(error));
    this.drawMarks(errors.filter((e) => e.start !== undefined));
  }

  errorItem(error) {
    const item = document.createElement("li");
    const where = document.createElement("button");
    where.type = "button";
    const parts = [];
    if (error.start !== undefined) {
      const { line, column } = lineColumn(this.value, error.start);
      parts.push(`line ${line}, column ${column}`);
    }
    if (error.path) parts.push(formatPath(error.path) + (error.missing ? " (missing: shown where it belongs)" : ""));
    where.textContent = parts.join(" · ") || "the request";
    if (error.start !== undefined) {
      where.addEventListener("click", () => {
        this.textarea.focus();
        this.textarea.setSelectionRange(error.start, Math.max(error.end, error.start + 1));
      });
    } else {
      where.disabled = true;
    }
    const msg = document.createElement("span");
    msg.className = "msg";
    msg.textContent = error.msg;
    item.append(where, msg);
    if (error.note) {
      const note = document.createElement("span");
      note.className = "note";
      note.textContent = error.note;
      item.append(note);
    }
    return item;
  }

  /** The layer under the text: the same characters, invisible, with <mark>s where errors are. */
  drawMarks(errors) {
    const text = this.value;
    const ranges = errors.map((e) => [e.start, Math.min(Math.max(e.end, e.start + 1), text.length || 1)])
      .sort((a, b) => a[0] - b[0]);
    const merged = [];
    for (const range of ranges) {
      const last = merged[merged.length - 1];
      if (last && range[0] <= last[1]) last[1] = Math.max(last[1], range[1]);
      else merged.push([...range]);
    }
    const nodes = [];
    let at = 0;
    for (const [start, end] of merged) {
      nodes.push(document.createTextNode(text.slice(at, start)));
      const mark = document.createElement("mark");
      mark.textContent = text.slice(start, end) || " ";
      nodes.push(mark);
      at = end;
    }
    nodes.push(document.createTextNode(`${text.slice(at)}\n`));  // a textarea keeps room for a last line
    this.marks.replaceChildren(...nodes);
  }

  clearErrors() {
    if (!this.list) return;
    this.summary.hidden = true;
    this.summary.textContent = "";
    this.list.replaceChildren();
    this.marks.replaceChildren();
    this.textarea.removeAttribute("aria-invalid");
  }
}

customElements.define("json-editor", JsonEditor);
