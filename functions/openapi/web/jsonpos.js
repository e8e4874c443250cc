// JSON read with the place of every value, so that an error the service locates by a JSON path
// (["operations", 0, "bg_remove", "options", "mode"]) can be shown where that value is written.

export class JsonSyntaxError extends Error {
  constructor(message, offset) {
    super(message);
    this.offset = offset;
  }
}

export const pathKey = (path) => JSON.stringify(path);

/**
 * Parses `text` as JSON. Returns {value, spans}: spans maps pathKey(path) to {start, end, keyStart}
 * (offsets into text; keyStart is where the member's key begins, for object members).
 * Throws JsonSyntaxError with the offset of the first problem.
 */
export function parseJson(text) {
  const spans = new Map();
  let at = 0;

  const space = () => {
    while (at < text.length && " \t\n\r".includes(text[at])) at += 1;
  };
  const fail = (message) => {
    throw new JsonSyntaxError(at >= text.length ? `${message}, but the text ends` : message, at);
  };
  const expect = (char, what) => {
    space();
    if (text[at] !== char) fail(`expected ${what}`);
    at += 1;
  };

  function string() {
    const start = at;
    at += 1;  // the opening quote
    while (at < text.length && text[at] !== '"') at += text[at] === "\\" ? 2 : 1;
    if (at >= text.length) {
      at = start;
      fail("this string has no closing quote");
    }
    at += 1;
    try {
      return JSON.parse(text.slice(start, at));
    } catch {
      at = start;
      return fail("this string holds a control character or an invalid escape");
    }
  }

  function number() {
    const pattern = /-?(?:0|[1-9]\d*)(?:\.\d+)?(?:[eE][+-]?\d+)?/y;
    pattern.lastIndex = at;
    const found = pattern.exec(text);
    if (!found) fail("expected a number");
    at += found[0].length;
    return Number(found[0]);
  }

  function object(path) {
    const value = {};
    at += 1;
    space();
    if (text[at] === "}") {
      at += 1;
      return value;
    }
    for (;;) {
      space();
      if (text[at] !== '"') fail('expected a key in double quotes');
      const keyStart = at;
      const key = string();
      expect(":", "a colon after the key");
      const child = [...path, key];
      value[key] = parse(child);
      spans.get(pathKey(child)).keyStart = keyStart;
      if (closed("}", "a closing brace")) return value;
    }
  }

  function array(path) {
    const value = [];
    at += 1;
    space();
    if (text[at] === "]") {
      at += 1;
      return value;
    }
    for (;;) {
      value.push(parse([...path, value.length]));
      if (closed("]", "a closing bracket")) return value;
    }
  }

  // After a member or an element: true past the closing character, false past a comma.
  function closed(close, what) {
    space();
    if (text[at] === ",") {
      at += 1;
      return false;
    }
    if (text[at] === close) {
      at += 1;
      return true;
    }
    fail(`expected a comma or ${what}`);
  }

  function parse(path) {
    space();
    const start = at;
    const char = text[at];
    let value;
    if (char === "{") value = object(path);
    else if (char === "[") value = array(path);
    else if (char === '"') value = string();
    else if (char === "-" || (char >= "0" && char <= "9")) value = number();
    else if (text.startsWith("true", at)) [value, at] = [true, at + 4];
    else if (text.startsWith("false", at)) [value, at] = [false, at + 5];
    else if (text.startsWith("null", at)) [value, at] = [null, at + 4];
    else fail("expected a value (an object, array, string, number, true, false or null)");
    spans.set(pathKey(path), { start, end: at, keyStart: undefined });
    return value;
  }

  const value = parse([]);
  space();
  if (at < text.length) fail("expected the end of the text after the value");
  return { value, spans };
}

/**
 * Where `path` is written: its own span ({exact: true}), or, for a key that is not there (a missing
 * field), the span of its nearest ancestor that is ({exact: false}).
 */
export function locate(spans, path) {
  for (let length = path.length; length >= 0; length -= 1) {
    const span = spans.get(pathKey(path.slice(0, length)));
    if (span) return { ...span, exact: length === path.length };
  }
  return undefined;
}

/** Line and column (both from 1) of an offset. */
export function lineColumn(text, offset) {
  const before = text.slice(0, offset).split("\n");
  return { line: before.length, column: before[before.length - 1].length + 1 };
}

/** A path as a person reads it: operations[0].bg_remove.options.mode */
export function formatPath(path) {
  if (!path.length) return "the whole request";
  return path.map((part, i) => (typeof part === "number" ? `[${part}]` : `${i ? "." : ""}${part}`)).join("");
}
