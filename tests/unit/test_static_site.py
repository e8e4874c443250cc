"""imagegraphics.service.static: a page's files by exact name at a digest of their content, as text."""
from __future__ import annotations

import hashlib
from pathlib import Path

import pytest

from imagegraphics.service import static

PAGE = '<link rel="stylesheet" href="docs/style.css"><script src="docs/app.js"></script><a href="docs/LICENSE">'
FILES = {"app.js": "document.title = 'x';", "style.css": "body { margin: 0 }", "LICENSE": "MIT"}


def write(folder: Path, name: str, text: str) -> Path:
    path = folder / name
    path.write_text(text, encoding="utf-8")
    return path


def make_site(folder: Path, page: str = PAGE, files: dict[str, str] = FILES) -> static.StaticSite:
    return static.StaticSite(write(folder, "index.html", page), [write(folder, n, t) for n, t in files.items()])


def digest(text: str) -> str:
    return hashlib.sha256(text.encode()).hexdigest()[:16]


def test_each_file_is_found_at_the_start_of_its_sha256_with_its_text_type(tmp_path):
    site = make_site(tmp_path)
    types = {}
    for name, text in FILES.items():
        found = site.find(digest(text), name)
        assert found is not None and found.body == text
        types[name] = found.content_type
    assert types == {"app.js": "text/javascript; charset=utf-8", "style.css": "text/css; charset=utf-8",
                     "LICENSE": "text/plain; charset=utf-8"}


def test_the_page_names_each_file_at_its_current_url(tmp_path):
    site = make_site(tmp_path)
    assert site.page == (f'<link rel="stylesheet" href="docs/{digest(FILES["style.css"])}/style.css">'
                         f'<script src="docs/{digest(FILES["app.js"])}/app.js"></script>'
                         f'<a href="docs/{digest(FILES["LICENSE"])}/LICENSE">')


def test_a_changed_file_has_a_new_url_and_its_old_url_finds_nothing(tmp_path):
    before = make_site(tmp_path)
    after = make_site(tmp_path, files={**FILES, "app.js": "document.title = 'y';"})
    assert after.find(digest(FILES["app.js"]), "app.js") is None  # a year-long cache never gets other bytes
    assert after.find(digest("document.title = 'y';"), "app.js") is not None
    assert before.page != after.page


@pytest.mark.parametrize("name", ["../app.js", "./app.js", "app.js/", "APP.JS", "", "index.html", "%2e%2e%2fapp.js",
                                  "..%2Fapp.js", "app.js%00", "vendor.json", "../../openapi.json"])
def test_a_name_that_is_not_exactly_a_file_of_the_page_finds_nothing(tmp_path, name):
    site = make_site(tmp_path)
    write(tmp_path, "vendor.json", "{}")
    assert site.find(digest(FILES["app.js"]), name) is None


def test_a_digest_that_is_not_the_files_finds_nothing(tmp_path):
    site = make_site(tmp_path)
    for wrong in ("0" * 16, digest(FILES["style.css"]), digest(FILES["app.js"]).upper(), ""):
        assert site.find(wrong, "app.js") is None


def test_the_page_may_refer_only_to_its_own_files(tmp_path):
    with pytest.raises(ValueError, match="docs/other.js"):
        make_site(tmp_path, page='<script src="docs/other.js"></script>')


def test_only_text_is_served(tmp_path):
    with pytest.raises(ValueError, match="only text"):
        make_site(tmp_path, files={**FILES, "logo.png": "not really a png"})


def test_a_missing_file_names_the_build_step_that_makes_it(tmp_path):
    with pytest.raises(static.MissingFiles, match="make install, make build"):
        static.StaticSite(write(tmp_path, "index.html", PAGE), [tmp_path / "app.js"])


def test_the_headers_lock_the_page_down_and_cache_files_for_a_year():
    page, files = static.headers(static.PAGE_CACHE), static.headers(static.FILE_CACHE)
    policy = dict(d.split(" ", 1) for d in page["Content-Security-Policy"].split("; "))
    assert policy["default-src"] == "'none'" and policy["script-src"] == "'self'"
    assert policy["style-src"] == "'self'" and policy["connect-src"] == "'self'"
    assert policy["frame-ancestors"] == "'none'" and policy["base-uri"] == "'none'"
    assert "unsafe" not in page["Content-Security-Policy"]
    assert page["X-Content-Type-Options"] == "nosniff"
    assert page["Cache-Control"] == "no-cache"
    assert files["Cache-Control"] == "public, max-age=31536000, immutable"
    assert {k: v for k, v in files.items() if k != "Cache-Control"} == \
        {k: v for k, v in page.items() if k != "Cache-Control"}


def make_module_site(folder: Path, files: dict[str, str]) -> static.StaticSite:
    page = '<link rel="stylesheet" href="app/app.css"><script type="module" src="app/main.js"></script>'
    return static.StaticSite(write(folder, "index.html", page), [write(folder, n, t) for n, t in files.items()],
                             prefix="app", shared=True)


MODULES = {"main.js": 'import { f } from "./api.js"; f();', "api.js": "export const f = () => 1;",
           "app.css": "body { margin: 0 }"}


def test_modules_share_one_digest_so_their_relative_imports_resolve_beside_them(tmp_path):
    site = make_module_site(tmp_path, MODULES)
    digests = {found.digest for found in site.files.values()}
    assert len(digests) == 1
    [shared] = digests
    assert site.page == (f'<link rel="stylesheet" href="app/{shared}/app.css">'
                         f'<script type="module" src="app/{shared}/main.js"></script>')
    assert site.find(shared, "api.js").body == MODULES["api.js"]  # where "./api.js" from main.js leads


def test_a_change_to_any_module_moves_every_module_to_a_new_url(tmp_path):
    for folder in ("a", "b"):
        (tmp_path / folder).mkdir()
    before = make_module_site(tmp_path / "a", MODULES)
    after = make_module_site(tmp_path / "b", {**MODULES, "api.js": "export const f = () => 2;"})
    old, new = before.files["main.js"].digest, after.files["main.js"].digest
    assert old != new  # main.js did not change, but a cached main.js must never import a new api.js
    assert after.find(old, "main.js") is None and after.find(new, "main.js") is not None
