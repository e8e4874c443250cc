// <photo-card>: one photo's name, thumbnail and where it stands (uploading, checked, in a job, done
// or why not), with what the service knows of it. Names, metadata and messages are set as text.

const STATES = {
  skipped: ["Not uploaded", "error"],
  uploading: ["Uploading…", ""],
  checking: ["Uploaded; the service is checking the image…", ""],
  ready: ["Ready: pick a look and apply it", "ok"],
  rejected: ["Refused by the service", "error"],
  failed: ["Failed", "error"],
  waiting: ["Waiting for its job…", ""],
  processing: ["Processing…", ""],
  done: ["Done: see the result below", "ok"],
  error: ["The job failed for this photo", "error"],
};

function formatBytes(size) {
  if (size < 1024) return `${size} bytes`;
  if (size < 1024 * 1024) return `${(size / 1024).toFixed(1)} KB`;
  return `${(size / (1024 * 1024)).toFixed(1)} MB`;
}

class PhotoCard extends HTMLElement {
  connectedCallback() {
    if (this.thumb) return;
    this.thumb = document.createElement("img");
    this.thumb.alt = "";  // the name beside it says what it is
    const body = document.createElement("div");
    body.className = "body";
    this.nameLine = document.createElement("p");
    this.nameLine.className = "name";
    this.statusLine = document.createElement("p");
    this.statusLine.className = "status";
    this.details = document.createElement("dl");
    body.append(this.nameLine, this.statusLine, this.details);
    this.append(this.thumb, body);
  }

  render(photo) {
    if (photo.thumbnail && this.thumb.src !== photo.thumbnail) this.thumb.src = photo.thumbnail;
    this.nameLine.textContent = photo.name;
    const [label, tone] = STATES[photo.state] || [photo.state, ""];
    this.statusLine.textContent = photo.message ? `${label}: ${photo.message}` : label;
    this.statusLine.className = `status ${tone}`;
    this.dataset.state = photo.state;
    const rows = [["Size", formatBytes(photo.file.size)]];
    const asset = photo.asset || {};
    if (asset.width && asset.height) rows.push(["Pixels", `${asset.width} × ${asset.height}`]);
    if (photo.assetId) rows.push(["Asset", photo.assetId]);
    if (photo.recipe) rows.push(["Recipe", photo.recipe]);
    if (photo.jobId) rows.push(["Job", String(photo.jobId)]);
    for (const [name, value] of Object.entries(asset.metadata || {})) {
      rows.push([`Metadata ${name}`, typeof value === "string" ? value : JSON.stringify(value)]);
    }
    this.details.replaceChildren(...rows.flatMap(([term, value]) => {
      const dt = document.createElement("dt");
      dt.textContent = term;
      const dd = document.createElement("dd");
      dd.textContent = value;
      return [dt, dd];
    }));
  }
}

customElements.define("photo-card", PhotoCard);
