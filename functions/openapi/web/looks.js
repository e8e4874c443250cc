// The looks the page offers, each an Image Graphics request for every photo: asset options and
// operations, as a recipe holds them (docs/request.md, "Beyond the public API", for format,
// crop_to_subject, shadow_add and the mask). Each writes its own conversion, so one look does not
// replace another's.

export const LOOK_NAMES = {
  cutout: "Cut-out",
  studio: "White studio",
  colour: "Colour background",
  mask: "Mask",
  custom: "Your own request",
};

const asConversion = (name, format, quality) => ({
  add_as_conversion: true, conversion_name: name, format, ...(quality ? { quality } : {}),
});

/** The request body of a look ({options, operations}); `subject` is bg_remove's mode. */
export function lookRequest(look, { subject = "auto", colour = "#2f6fb2", side = 1000 } = {}) {
  const remove = (more = {}) => ({ bg_remove: { options: { mode: subject, ...more } } });
  switch (look) {
    case "studio":
      return {
        options: {
          // The cropped subject fitted in the square, centred on a white canvas of the same size.
          size: { width: side, height: side },
          canvas: { size: { width: side, height: side }, color: "#ffffff" },
          disposition: asConversion("white-studio", "jpeg", 90),
        },
        operations: [
          remove({ crop_to_subject: { margin: "8%" } }),
          { shadow_add: { options: { color: "#000000", opacity: 0.35, blur: 12, offset: { x: 0, y: 12 } } } },
        ],
      };
    case "colour":
      return {
        options: { disposition: asConversion("colour-background", "jpeg", 90) },
        operations: [remove(), { bg_add: { options: { color: colour } } }],
      };
    case "mask":
      return {
        options: { disposition: asConversion("mask", "png") },
        operations: [remove({ output: "mask" })],
      };
    default:
      return {
        options: { disposition: asConversion("cutout", "png") },
        operations: [remove()],
      };
  }
}

/** JSON as a person edits it: a value that fits on a line stays on one, others open one level. */
export function pretty(value, indent = "", width = 100) {
  const flat = (v) => {
    if (Array.isArray(v)) return `[${v.map(flat).join(", ")}]`;
    if (v && typeof v === "object") return `{${Object.entries(v).map(([k, x]) => `${JSON.stringify(k)}: ${flat(x)}`).join(", ")}}`;
    return JSON.stringify(v);
  };
  const line = flat(value);
  if (indent.length + line.length <= width || value === null || typeof value !== "object") return line;
  const inner = `${indent}  `;
  const items = Array.isArray(value)
    ? value.map((x) => inner + pretty(x, inner, width))
    : Object.entries(value).map(([k, x]) => `${inner}${JSON.stringify(k)}: ${pretty(x, inner, width)}`);
  const [open, close] = Array.isArray(value) ? ["[", "]"] : ["{", "}"];
  return items.length ? `${open}\n${items.join(",\n")}\n${indent}${close}` : `${open}${close}`;
}
