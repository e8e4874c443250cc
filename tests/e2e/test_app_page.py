"""GET /app on the local stack: over HTTP with no key, then used in a real browser as a person would.

The browser tests (marker `browser`, `make test-browser`) drive Debian's Chromium (tests/e2e/browser.py)
through the whole page: the key, photos dropped, a look, the job, the results, downloads, recipes. Every
tab also checks, when it closes, that no URL it requested holds the key, that nothing left the stack's
origins (the API, and moto's server where the presigned URLs point), and that nothing broke the page's
Content-Security-Policy. `APP_SCREENSHOT=<path>` saves the results with their slider there
(`make screenshot` writes docs/images/app.png).
"""
from __future__ import annotations

import base64
import io
import json
import os
import re
import zipfile
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlsplit

import pytest
import requests
from PIL import Image

from tests.e2e.browser import RECORD_VIOLATIONS
from tests.e2e.stageproxy import StageProxy

pytestmark = pytest.mark.e2e

ROOT = Path(__file__).resolve().parents[2]
HOSTILE = "<img src=x onerror=alert(1)>.png"
# A console error Chromium logs by itself for an answer the page expected (a 400 it shows).
LOAD_FAILED = re.compile(r"^Failed to load resource: the server responded with a status of (\d+)")
# WCAG 2's contrast ratio of every visible piece of text against what it is drawn on.
CONTRAST = """
() => {
  const channel = (c) => { c /= 255; return c <= 0.03928 ? c / 12.92 : ((c + 0.055) / 1.055) ** 2.4; };
  const parse = (text) => (text.match(/[\\d.]+/g) || []).map(Number);
  const luminance = ([r, g, b]) => 0.2126 * channel(r) + 0.7152 * channel(g) + 0.0722 * channel(b);
  const backdrop = (element) => {
    for (let at = element; at; at = at.parentElement) {
      const [r, g, b, a = 1] = parse(getComputedStyle(at).backgroundColor);
      if (a >= 0.99) return [r, g, b];
    }
    return [255, 255, 255];
  };
  const found = [];
  const walker = document.createTreeWalker(document.body, NodeFilter.SHOW_TEXT);
  for (let node = walker.nextNode(); node; node = walker.nextNode()) {
    const element = node.parentElement;
    if (!node.textContent.trim() || !element.checkVisibility({ visibilityProperty: true })) continue;
    if (element.closest(".je-marks, .visually-hidden, .skip")) continue;  // invisible by design
    const style = getComputedStyle(element);
    const [r, g, b, a = 1] = parse(style.color);
    if (a < 0.99) continue;
    const [lighter, darker] = [luminance([r, g, b]), luminance(backdrop(element))].sort((x, y) => y - x);
    const size = parseFloat(style.fontSize);
    const large = size >= 24 || (size >= 18.66 && Number(style.fontWeight) >= 700);
    found.push({ text: node.textContent.trim().slice(0, 40), ratio: (lighter + 0.05) / (darker + 0.05),
                 needed: large ? 3 : 4.5 });
  }
  return found;
}
"""
# Files as a drag from the desktop carries them.
DATA_TRANSFER = """
(files) => {
  const transfer = new DataTransfer();
  for (const file of files) {
    const bytes = Uint8Array.from(atob(file.data), (c) => c.charCodeAt(0));
    transfer.items.add(new File([bytes], file.name, { type: file.type }));
  }
  return transfer;
}
"""
UNNAMED_CONTROLS = """
() => [...document.querySelectorAll("input, select, textarea, button, a[href]")]
  .filter((e) => e.checkVisibility() && !e.closest(".skip"))
  .filter((e) => !((e.labels && [...e.labels].some((l) => l.textContent.trim()))
                   || e.getAttribute("aria-label") || e.textContent.trim()))
  .map((e) => e.outerHTML.slice(0, 80))
"""


def jpeg(size: tuple[int, int]) -> bytes:
    out = io.BytesIO()
    Image.open(ROOT / "events" / "samples" / "astronaut.jpg").resize(size).save(out, "JPEG", quality=90)
    return out.getvalue()


def png(size: tuple[int, int]) -> bytes:
    out = io.BytesIO()
    Image.open(ROOT / "events" / "samples" / "astronaut.jpg").resize(size).save(out, "PNG")
    return out.getvalue()


# Waits are given functions, never expressions: Playwright evaluates an expression with eval, which the
# page's policy forbids (and reports as a violation).
@dataclass
class Tab:
    """One browser tab on the page, and everything it did."""

    page: object
    response: object
    key: str
    requests: list = field(default_factory=list)
    console: list = field(default_factory=list)
    dialogs: list = field(default_factory=list)

    def enter_key(self, key: str | None = None) -> None:
        self.page.fill("#key", key or self.key)
        self.page.press("#key", "Enter")
        self.page.wait_for_selector("#forget-key:not([hidden])")

    def add_photos(self, files: list[tuple[str, str, bytes]], state: str = "ready", drop: bool = False) -> None:
        """Picks the files with the file input, or drops them on the drop zone, and waits for `state`."""
        before = self.page.locator("photo-card").count()
        if drop:
            transfer = self.page.evaluate_handle(DATA_TRANSFER, [
                {"name": n, "type": t, "data": base64.b64encode(b).decode()} for n, t, b in files])
            self.page.dispatch_event("#drop", "dragover", {"dataTransfer": transfer})
            self.page.dispatch_event("#drop", "drop", {"dataTransfer": transfer})
        else:
            self.page.set_input_files("#files", [{"name": n, "mimeType": t, "buffer": b} for n, t, b in files])
        for index in range(before, before + len(files)):
            self.page.wait_for_selector(f"#photo-list li:nth-child({index + 1}) photo-card[data-state={state}]",
                                        timeout=60_000)

    def pick(self, look: str) -> None:
        self.page.check(f"input[name=look][value={look}]")

    def apply(self) -> None:
        self.page.click("#run")

    def wait_results(self, count: int, label: str) -> list:
        """The result figures, once `count` of them show results made by `label`."""
        self.page.wait_for_function(
            "([count, label]) => [...document.querySelectorAll('#results figure .meta')]"
            ".filter((m) => m.textContent.startsWith(label)).length === count", arg=[count, label], timeout=120_000)
        return self.page.locator("#results figure").all()

    def download(self, trigger) -> tuple[str, bytes]:
        with self.page.expect_download() as info:
            trigger.click()
        return info.value.suggested_filename, Path(info.value.path()).read_bytes()

    def violations(self) -> list[str]:
        return self.page.evaluate("window.__violations")


@pytest.fixture
def open_tab(chromium, stack):
    """Opens the page in a new browser context (its own session storage) and checks it when it closes."""
    opened = []

    def _open(url: str | None = None, *, expected_errors: tuple[int, ...] = (), **context_options) -> Tab:
        context = chromium.new_context(accept_downloads=True, **context_options)
        page = context.new_page()
        page.add_init_script(RECORD_VIOLATIONS)
        tab = Tab(page=page, response=None, key=stack.key_for("web"))
        page.on("request", lambda request: tab.requests.append(request))
        page.on("console", lambda message: message.type in ("error", "warning") and tab.console.append(message.text))
        page.on("pageerror", lambda error: tab.console.append(str(error)))
        page.on("dialog", lambda dialog: (tab.dialogs.append(dialog.message), dialog.dismiss()))
        tab.response = page.goto(url or stack.url + "/app", wait_until="load")
        opened.append((tab, expected_errors))
        return tab

    yield _open
    allowed = {urlsplit(stack.url)[:2], urlsplit(stack.endpoint)[:2]}  # the API; moto, where results are read
    for tab, expected_errors in opened:
        try:
            urls = [request.url for request in tab.requests]
            assert urls and not [url for url in urls if tab.key in url]  # never in a URL, presigned ones too
            assert [url for url in urls if urlsplit(url).scheme not in ("blob", "data")
                    and urlsplit(url)[:2] not in allowed and not urlsplit(url).path.startswith("/Prod/")] == []
            assert tab.violations() == []
            unexpected = [line for line in tab.console
                          if not ((found := LOAD_FAILED.match(line)) and int(found[1]) in expected_errors)]
            assert unexpected == []
            assert tab.dialogs == []
        finally:
            tab.page.context.close()


# ---------------------------------------------------------------- over HTTP, no browser
def test_the_page_and_its_modules_need_no_key_and_carry_their_headers(stack):
    page = requests.get(stack.url + "/app", timeout=30)
    assert page.status_code == 200 and page.headers["Content-Type"] == "text/html; charset=utf-8"
    assert page.headers["X-Content-Type-Options"] == "nosniff" and page.headers["Cache-Control"] == "no-cache"
    policy = dict(d.split(" ", 1) for d in page.headers["Content-Security-Policy"].split("; "))
    assert policy["script-src"] == "'self'" and policy["frame-ancestors"] == "'none'"
    # The API (the page's own origin) and the bucket's: locally the upload endpoint and moto's server.
    assert policy["connect-src"].split() == ["'self'", stack.url, stack.endpoint]
    named = re.findall(r'\b(?:src|href)="app/([0-9a-f]{16})/([^"/]+)"', page.text)
    assert {name for _, name in named} == {"main.js", "app.css"}
    [digest] = {digest for digest, _ in named}
    # Every module a module imports is served beside it, as the browser resolves "./name.js".
    seen, todo = set(), ["main.js"]
    while todo:
        name = todo.pop()
        answer = requests.get(f"{stack.url}/app/{digest}/{name}", timeout=30)
        assert answer.status_code == 200, name
        assert answer.headers["Content-Type"] == "text/javascript; charset=utf-8"
        assert answer.headers["Cache-Control"] == "public, max-age=31536000, immutable"
        seen.add(name)
        todo += [found for found in re.findall(r'from "\./([^"]+)"|import "\./([^"]+)"', answer.text)
                 for found in found if found and found not in seen]
    assert {"api.js", "key.js", "photos.js", "results.js", "before-after.js", "json-editor.js"} <= seen


def test_unknown_files_are_a_json_404_and_the_slash_form_redirects_to_the_page(stack):
    for path in ("/app/0000000000000000/main.js", "/app/0000000000000000/..%2Fapp.py"):
        answer = requests.get(stack.url + path, timeout=30)
        assert answer.status_code == 404 and answer.json()["errors"][0]["loc"] == ["path"], path
    slash = requests.get(stack.url + "/app/", timeout=30, allow_redirects=False)
    assert slash.status_code == 301 and slash.headers["Location"] == "../app"


# ---------------------------------------------------------------- in Chromium
@pytest.mark.browser
def test_two_photos_in_white_studio_give_two_downloadable_squares(open_tab, tmp_path):
    tab = open_tab(viewport={"width": 1100, "height": 900})
    tab.enter_key()
    tab.add_photos([("astronaut.jpg", "image/jpeg", jpeg((256, 256))),
                    ("portrait.png", "image/png", png((200, 300)))], drop=True)
    cards = tab.page.locator("photo-card")
    assert cards.nth(0).locator(".status").text_content() == "Ready: pick a look and apply it"
    assert "200 × 300" in cards.nth(1).locator("dl").text_content()  # the service's reading of the upload
    tab.pick("studio")
    tab.page.fill("#side", "600")
    tab.apply()
    figures = tab.wait_results(2, "White studio")
    # Results show as the job lists them; the job's own end follows on the next reading of its status.
    tab.page.wait_for_function("() => document.querySelector('#job-text').textContent.endsWith('.')")
    assert re.fullmatch(r"Job \d+: 2 of 2 done \(2 succeeded, 0 failed\)\.",
                        tab.page.locator("#job-text").text_content())
    assert tab.page.eval_on_selector("#job-progress", "p => [p.value, p.max, p.hidden]") == [2, 2, False]
    assert [card.get_attribute("data-state") for card in cards.all()] == ["done", "done"]

    names = []
    for figure in figures:
        name, data = tab.download(figure.locator("a.download"))
        names.append(name)
        image = Image.open(io.BytesIO(data))
        assert (image.format, image.size, image.mode) == ("JPEG", (600, 600), "RGB")
        assert min(image.getpixel((3, 3))) >= 250  # a white canvas around the subject
    assert names == ["astronaut-white-studio.jpg", "portrait-white-studio.jpg"]
    name, data = tab.download(tab.page.locator("#download-all"))
    archive = zipfile.ZipFile(io.BytesIO(data))
    assert archive.testzip() is None and archive.namelist() == names
    for entry in names:
        assert Image.open(io.BytesIO(archive.read(entry))).size == (600, 600)

    # The slider: the keyboard moves the split, which the picture follows.
    slider = figures[0].locator("input[type=range]")
    slider.focus()
    for _ in range(15):
        slider.press("ArrowLeft")
    assert slider.input_value() == "35"
    assert figures[0].locator(".ba-frame").evaluate("f => f.style.getPropertyValue('--split')") == "35%"
    assert "35% original" in slider.get_attribute("aria-valuetext")
    shot = Path(os.environ.get("APP_SCREENSHOT") or tmp_path / "app.png")
    shot.parent.mkdir(parents=True, exist_ok=True)
    tab.page.locator("section[aria-labelledby=results-heading]").screenshot(path=str(shot))
    assert Image.open(shot).size[0] >= 900


@pytest.mark.browser
def test_each_look_makes_what_it_says(open_tab):
    tab = open_tab()
    tab.enter_key()
    tab.add_photos([("look.jpg", "image/jpeg", jpeg((256, 256)))])
    figure = tab.page.locator("#results figure")

    tab.pick("cutout")
    tab.apply()
    tab.wait_results(1, "Cut-out")
    image = Image.open(io.BytesIO(tab.download(figure.locator("a.download"))[1]))
    assert (image.format, image.mode, image.size) == ("PNG", "RGBA", (256, 256))
    assert image.getpixel((2, 2))[3] == 0  # the sky behind the astronaut is gone

    tab.pick("colour")
    tab.page.fill("#colour", "#00a050")
    assert '"color": "#00a050"' in tab.page.input_value("#request textarea")
    tab.apply()
    tab.wait_results(1, "Colour background")
    image = Image.open(io.BytesIO(tab.download(figure.locator("a.download"))[1]))
    assert image.format == "JPEG" and all(abs(a - b) <= 6 for a, b in zip(image.getpixel((2, 2)), (0, 0xa0, 0x50)))

    tab.pick("mask")
    tab.apply()
    tab.wait_results(1, "Mask")
    image = Image.open(io.BytesIO(tab.download(figure.locator("a.download"))[1]))
    assert (image.format, image.mode) == ("PNG", "L") and image.getpixel((2, 2)) == 0

    # Shown over a colour of one's choice instead of the checkerboard.
    tab.page.fill("#stage-colour", "#202020")
    assert tab.page.eval_on_selector("#results .ba-frame", "f => getComputedStyle(f).backgroundColor") == \
        "rgb(32, 32, 32)"


@pytest.mark.browser
def test_a_request_the_service_refuses_shows_its_errors_where_they_are_written(open_tab):
    tab = open_tab(expected_errors=(400,))
    tab.enter_key()
    tab.add_photos([("refused.jpg", "image/jpeg", jpeg((256, 256)))])
    editor = tab.page.locator("#request textarea")

    # Not JSON: shown at its line and column, and nothing is sent.
    editor.fill('{\n  "operations": [\n    {"bg_remove": }\n  ]\n}')
    tab.apply()
    tab.page.wait_for_selector("#request .je-errors li")
    assert tab.page.locator("#request .je-errors li button").first.text_content() == "line 3, column 19"
    assert not [r for r in tab.requests if r.url.endswith("/addons/image_graphics")]

    request = {"options": {"size": {"width": 0, "height": 500}},
               "operations": [{"bg_remove": {"options": {"mode": "sideways"}}}]}
    editor.fill(json.dumps(request, indent=2))
    assert tab.page.locator("input[name=look][value=custom]").is_checked()  # editing makes it one's own
    tab.apply()
    tab.page.wait_for_function("() => document.querySelectorAll('#request .je-errors li').length === 2")
    errors = {item.locator("button").text_content().split(" · ")[1]: item.locator(".msg").text_content()
              for item in tab.page.locator("#request .je-errors li").all()}
    assert set(errors) == {"options.size.width", "operations[0].bg_remove.options.mode"}
    assert errors["operations[0].bg_remove.options.mode"].startswith("must be one of")
    assert "for refused.jpg" in tab.page.locator("#request .je-errors .note").first.text_content()
    # Each is marked on the text it is about.
    assert sorted(tab.page.locator("#request .je-marks mark").all_text_contents()) == ['"sideways"', "0"]
    status = tab.page.locator("#job-text")
    assert status.get_attribute("class") == "error" and "The service refused the request" in status.text_content()
    # Choosing an error selects its place in the text.
    tab.page.locator("#request .je-errors li button", has_text="mode").click()
    assert tab.page.evaluate("() => { const t = document.querySelector('#request textarea');"
                             " return t.value.slice(t.selectionStart, t.selectionEnd); }") == '"sideways"'


@pytest.mark.browser
def test_a_hostile_filename_stays_text(open_tab):
    tab = open_tab()
    tab.enter_key()
    tab.add_photos([(HOSTILE, "image/png", png((200, 200)))])
    tab.pick("cutout")
    tab.apply()
    [figure] = tab.wait_results(1, "Cut-out")
    assert tab.page.locator("photo-card .name").text_content() == HOSTILE
    assert figure.locator("figcaption .name").text_content() == HOSTILE
    assert tab.page.locator("img[src=x]").count() == 0 and tab.page.locator("img[onerror]").count() == 0
    name, _ = tab.download(figure.locator("a.download"))
    assert name == "_img src=x onerror=alert(1)_-cutout.png"  # no folder, no character a disk refuses
    assert not [r for r in tab.requests if urlsplit(r.url).path.endswith("/x")]
    assert tab.dialogs == []


@pytest.mark.browser
def test_a_saved_recipe_is_listed_and_new_uploads_run_it(open_tab):
    tab = open_tab()
    tab.enter_key()
    tab.pick("colour")
    tab.page.fill("#colour", "#c02060")
    tab.page.fill("#recipe-name", "magenta-backdrop")
    tab.page.click("#save-recipe")
    tab.page.wait_for_selector("#save-status.ok")
    tab.page.wait_for_selector("#recipe option[value=magenta-backdrop]", state="attached")
    tab.page.select_option("#recipe", "magenta-backdrop")
    assert '"#c02060"' in tab.page.locator("#recipe-json").text_content()
    tab.add_photos([("by-recipe.jpg", "image/jpeg", jpeg((256, 256)))], state="done")
    [figure] = tab.wait_results(1, "recipe magenta-backdrop")
    image = Image.open(io.BytesIO(tab.download(figure.locator("a.download"))[1]))
    assert all(abs(a - b) <= 6 for a, b in zip(image.getpixel((2, 2)), (0xc0, 0x20, 0x60)))


@pytest.mark.browser
def test_the_key_lives_in_session_storage_and_travels_only_in_the_authorization_header(open_tab, stack):
    tab = open_tab()
    tab.enter_key()
    tab.add_photos([("key.jpg", "image/jpeg", jpeg((128, 128)))])
    storage = tab.page.evaluate("() => [JSON.stringify(sessionStorage), JSON.stringify(localStorage), document.cookie]")
    assert tab.key in storage[0] and tab.key not in storage[1] and storage[2] == ""
    assert tab.page.input_value("#key") == ""  # not left in the field either
    api = [r for r in tab.requests if "/api/v1/" in r.url]
    assert api and all(r.headers.get("authorization") == f"Bearer {tab.key}" for r in api)
    others = [r for r in tab.requests if "/api/v1/" not in r.url]
    assert others and all(tab.key not in json.dumps(r.headers) for r in others)  # not to the storage
    # The tab keeps it across a reload; another tab (another session) does not have it.
    tab.page.reload()
    assert tab.page.locator("#forget-key").is_visible()
    other = open_tab()
    assert other.page.locator("#forget-key").is_hidden()
    tab.page.click("#forget-key")
    assert tab.page.evaluate("() => sessionStorage.length") == 0
    # Nothing the stack wrote while serving (access lines, the functions' JSON logs) holds the key; only
    # its start-up banner names the keys it was given, for the person who started it.
    banner, served = stack.log_path.read_text(encoding="utf-8").split("Ctrl-C stops everything.", 1)
    assert tab.key in banner and "/api/v1/assets" in served and tab.key not in served


@pytest.mark.browser
def test_a_phone_can_use_it_with_the_keyboard_and_every_text_is_readable(open_tab):
    tab = open_tab(viewport={"width": 360, "height": 740}, is_mobile=True, has_touch=True)
    page = tab.page
    assert page.evaluate("() => document.documentElement.scrollWidth") <= 360  # nothing wider than the screen
    # From the top, the keyboard alone: the skip link, the reference link, the key and on.
    focused = "() => { const e = document.activeElement; return e.id || e.name || e.textContent.trim(); }"
    page.keyboard.press("Tab")
    assert page.evaluate(focused) == "Skip to the photos"
    page.keyboard.press("Tab")
    assert page.evaluate(focused) == "API reference"
    page.keyboard.press("Tab")
    assert page.evaluate(focused) == "key"
    page.keyboard.type(tab.key)
    page.keyboard.press("Enter")
    page.wait_for_selector("#forget-key:not([hidden])")
    order = []
    for _ in range(7):
        page.keyboard.press("Tab")
        order.append(page.evaluate(focused))
    assert order == ["Use this key", "forget-key", "files", "recipe", "reload-recipes", "metadata", "look"]
    page.keyboard.press("ArrowRight")  # the looks are one radio group: arrows move through them
    assert page.locator("input[name=look]:checked").get_attribute("value") == "studio"
    tab.add_photos([("phone.jpg", "image/jpeg", jpeg((256, 256)))])
    page.focus("#run")
    page.keyboard.press("Enter")
    tab.wait_results(1, "White studio")
    assert page.evaluate("() => document.documentElement.scrollWidth") <= 360
    assert page.evaluate(UNNAMED_CONTROLS) == []
    # WCAG AA: 4.5:1 for text, 3:1 for large text; an error shown too.
    page.fill("#recipe-name", "not a name!")
    page.click("#save-recipe")
    checked = page.evaluate(CONTRAST)
    assert len(checked) > 40
    assert [c for c in checked if c["ratio"] < c["needed"]] == []


@pytest.mark.browser
def test_under_a_stage_path_the_page_calls_that_stages_api(open_tab, stack):
    with StageProxy(stack.url, stage="Prod") as stage:
        tab = open_tab(stage.url + "/app/")  # the slash form redirects to the page
        assert tab.page.url == stage.url + "/app"
        tab.enter_key()
        tab.page.wait_for_function("() => document.querySelector('#recipes-status').textContent.includes('recipe')")
        paths = [urlsplit(r.url).path for r in tab.requests if urlsplit(r.url).scheme.startswith("http")]
        assert all(path.startswith("/Prod/") for path in paths), paths
        assert "/Prod/api/v1/recipes" in paths and any(path.startswith("/Prod/app/") for path in paths)
