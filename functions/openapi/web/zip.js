// A zip archive built in the page (no server-side zip): every entry stored as it is (the results are
// already compressed images), names in UTF-8, CRC-32 checked by any unzip tool.

const CRC_TABLE = (() => {
  const table = new Uint32Array(256);
  for (let n = 0; n < 256; n += 1) {
    let c = n;
    for (let k = 0; k < 8; k += 1) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
    table[n] = c >>> 0;
  }
  return table;
})();

export function crc32(bytes) {
  let crc = 0xffffffff;
  for (let i = 0; i < bytes.length; i += 1) crc = CRC_TABLE[(crc ^ bytes[i]) & 0xff] ^ (crc >>> 8);
  return (crc ^ 0xffffffff) >>> 0;
}

function dosTime(date) {
  const year = Math.max(date.getFullYear(), 1980);
  return {
    time: (date.getHours() << 11) | (date.getMinutes() << 5) | (date.getSeconds() >> 1),
    day: ((year - 1980) << 9) | ((date.getMonth() + 1) << 5) | date.getDate(),
  };
}

const UTF8_NAMES = 0x0800;  // general purpose flag: names are UTF-8
const STORED = 0;
const VERSION = 20;  // 2.0: what reading a stored entry needs
const MAX = 0xffffffff;

/** Little-endian fields, [[bytes, value], ...] in order, as one record. */
function record(fields) {
  const view = new DataView(new ArrayBuffer(fields.reduce((sum, [bytes]) => sum + bytes, 0)));
  let at = 0;
  for (const [bytes, value] of fields) {
    if (bytes === 4) view.setUint32(at, value, true);
    else view.setUint16(at, value, true);
    at += bytes;
  }
  return view;
}

/** entries: [{name, data: Uint8Array}] -> a Blob of type application/zip. */
export function zip(entries, date = new Date()) {
  if (entries.length > 0xffff) throw new Error("a zip without zip64 holds at most 65,535 files");
  const encoder = new TextEncoder();
  const { time, day } = dosTime(date);
  const parts = [];
  const directory = [];
  let offset = 0;
  for (const entry of entries) {
    const name = encoder.encode(entry.name);
    const size = entry.data.length;
    if (size >= MAX || offset >= MAX) throw new Error("a zip without zip64 holds at most 4 GB");
    const crc = crc32(entry.data);
    const common = [[2, UTF8_NAMES], [2, STORED], [2, time], [2, day], [4, crc], [4, size], [4, size], [2, name.length], [2, 0]];
    parts.push(record([[4, 0x04034b50], [2, VERSION], ...common]), name, entry.data);
    // Central directory: made by, needed, the same fields, then comment, disk, attributes and offset.
    directory.push(record([[4, 0x02014b50], [2, VERSION], [2, VERSION], ...common, [2, 0], [2, 0], [2, 0], [4, 0],
      [4, offset]]), name);
    offset += 30 + name.length + size;
  }
  const directorySize = directory.reduce((sum, part) => sum + part.byteLength, 0);
  const end = record([[4, 0x06054b50], [2, 0], [2, 0], [2, entries.length], [2, entries.length],
    [4, directorySize], [4, offset], [2, 0]]);
  return new Blob([...parts, ...directory, end], { type: "application/zip" });
}

/** A file name safe in a zip and on any disk: no folders, no characters file systems refuse. */
export function safeName(name) {
  const cleaned = String(name).replace(/[\u0000-\u001f\u007f/\\:*?"<>|]/g, "_").replace(/^\.+/, "_").trim();
  return cleaned.slice(0, 200) || "file";
}

/** Names made unique by a counter before the extension: a.png, a (2).png. */
export function uniqueNames(names) {
  const seen = new Set();
  return names.map((name) => {
    let candidate = name;
    const dot = name.lastIndexOf(".");
    const [stem, ext] = dot > 0 ? [name.slice(0, dot), name.slice(dot)] : [name, ""];
    for (let n = 2; seen.has(candidate.toLowerCase()); n += 1) candidate = `${stem} (${n})${ext}`;
    seen.add(candidate.toLowerCase());
    return candidate;
  });
}
