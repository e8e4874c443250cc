// <before-after>: a result over its original, split by a line. The original shows left of the line,
// the result right of it; the line follows a drag on the picture, and the slider under it (a native
// range input: arrow keys, Page Up/Down, Home and End) moves it from the keyboard.

class BeforeAfter extends HTMLElement {
  connectedCallback() {
    if (this.frame) return;
    this.frame = document.createElement("div");
    this.frame.className = "ba-frame";
    this.after = document.createElement("img");
    this.after.className = "ba-after";
    this.before = document.createElement("img");
    this.before.className = "ba-before";
    const divider = document.createElement("div");
    divider.className = "ba-divider";
    divider.setAttribute("aria-hidden", "true");
    this.frame.append(this.after, this.before, divider);

    const control = document.createElement("label");
    control.className = "ba-control";
    const visible = document.createElement("span");
    visible.className = "hint";
    visible.textContent = "Split between the original and the result";
    this.caption = document.createElement("span");
    this.caption.className = "visually-hidden";
    this.slider = document.createElement("input");
    Object.assign(this.slider, { type: "range", min: "0", max: "100", step: "1", value: "50" });
    const ends = document.createElement("span");
    ends.className = "ba-ends";
    ends.setAttribute("aria-hidden", "true");
    const left = document.createElement("span");
    left.textContent = "◀ original";
    const right = document.createElement("span");
    right.textContent = "result ▶";
    ends.append(left, right);
    control.append(visible, this.caption, this.slider, ends);
    this.append(this.frame, control);

    this.slider.addEventListener("input", () => this.setSplit(Number(this.slider.value)));
    this.frame.addEventListener("pointerdown", (event) => {
      this.frame.setPointerCapture(event.pointerId);
      this.follow(event);
    });
    this.frame.addEventListener("pointermove", (event) => {
      if (this.frame.hasPointerCapture(event.pointerId)) this.follow(event);
    });
    this.setSplit(50);
  }

  /** before/after: image URLs; name: what the pair is of; width/height: the result's size. */
  show({ before, after, name, width, height }) {
    this.before.src = before;
    this.after.src = after;
    this.before.alt = `Original: ${name}`;
    this.after.alt = `Result: ${name}`;
    this.caption.textContent = ` of ${name}`;
    if (width && height) this.frame.style.aspectRatio = `${width} / ${height}`;
  }

  follow(event) {
    const box = this.frame.getBoundingClientRect();
    const percent = Math.round(((event.clientX - box.left) / box.width) * 100);
    this.setSplit(Math.min(100, Math.max(0, percent)));
  }

  setSplit(percent) {
    this.slider.value = String(percent);
    this.slider.setAttribute("aria-valuetext", `${percent}% original, ${100 - percent}% result`);
    this.frame.style.setProperty("--split", `${percent}%`);
  }

  get split() {
    return Number(this.slider.value);
  }
}

customElements.define("before-after", BeforeAfter);
