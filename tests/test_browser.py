"""What a reader sees, in a real browser: Debian's chromium driven by Playwright.

The example site is built once (all audiences, a fixed "now") and served on 127.0.0.1.
axe-core and the Nu HTML Checker come from the npm registry (see `make browser-deps`).
"""

from __future__ import annotations

import functools
import http.server
import json
import subprocess
import threading
from collections.abc import Iterator
from pathlib import Path
from urllib.parse import urlparse

import pytest
from statusmark.cli import main

from .conftest import load_script

ROOT = Path(__file__).resolve().parents[1]
NPM = ROOT / "build" / "npm" / "node_modules"
AXE = NPM / "axe-core" / "axe.min.js"
VNU = NPM / "vnu-jar" / "build" / "dist" / "vnu.jar"
SCREENSHOTS = ROOT / "tests" / "screenshots"
CHROMIUM = "/usr/bin/chromium"
ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
PAGES = {"home": "", "incident": "incidents/api-errors/", "history": "history/", "component": "components/api/"}

playwright_api = pytest.importorskip("playwright.sync_api", reason="installed by make test")


@pytest.fixture(scope="module")
def sites(tmp_path_factory) -> Path:
    generate = load_script("examples/generate.py")
    root = tmp_path_factory.mktemp("browser")
    config = (ROOT / "mkdocs.yml").read_text()
    for key, path in (
        ("docs_dir: site_src", ROOT / "site_src"),
        ("custom_dir: templates/theme", ROOT / "templates/theme"),
    ):
        config = config.replace(key, f"{key.split(':')[0]}: {path}")
    (root / "mkdocs.yml").write_text(config)
    generate.generate(generate.ANCHOR, root / "incidents")
    mp = pytest.MonkeyPatch()
    mp.setenv("STATUSMARK_NOW", generate.ANCHOR.strftime("%Y-%m-%dT%H:%M:%SZ"))
    assert main(["build", "-f", str(root / "mkdocs.yml"), "--audience", "all"]) == 0
    mp.undo()
    return root


class _QuietHandler(http.server.SimpleHTTPRequestHandler):
    def log_message(self, format: str, *args: object) -> None:  # noqa: A002 - the base class's name
        pass


def _serve(directory: Path) -> Iterator[str]:
    handler = functools.partial(_QuietHandler, directory=str(directory))
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}/"
    server.shutdown()


@pytest.fixture(scope="module")
def public_url(sites: Path) -> Iterator[str]:
    yield from _serve(sites / "site")


@pytest.fixture(scope="module")
def browser():
    assert Path(CHROMIUM).exists(), "Debian's chromium is missing: run `make test` (it installs it)"
    with playwright_api.sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=ARGS)
        yield browser
        browser.close()


class Watched:
    """A page whose console errors and outgoing requests are recorded."""

    def __init__(self, context):
        self.page = context.new_page()
        self.errors: list[str] = []
        self.hosts: set[str] = set()
        self.page.on("console", lambda msg: msg.type == "error" and self.errors.append(msg.text))
        self.page.on("pageerror", lambda exc: self.errors.append(str(exc)))
        self.page.on("request", lambda req: self.hosts.add(urlparse(req.url).hostname or req.url))


@pytest.fixture
def open_page(browser, public_url: str):
    contexts = []

    def opener(path: str = "", **options):
        context = browser.new_context(**options)
        contexts.append(context)
        watched = Watched(context)
        watched.page.goto(public_url + path)
        return watched

    yield opener
    for context in contexts:
        context.close()


def test_banner_states_the_overall_status_in_words(open_page):
    watched = open_page()
    assert watched.page.inner_text(".sm-banner__text") == "Partial System Outage"


def test_each_component_shows_its_status_in_text_and_colour(open_page):
    page = open_page().page
    rows = page.query_selector_all(".sm-component")
    assert len(rows) == 10
    seen = {}
    for row in rows:
        status = row.query_selector(".sm-status")
        seen[status.inner_text().strip()] = status.evaluate("el => getComputedStyle(el).color")
    assert set(seen) == {"Operational", "Partial outage", "Degraded performance"}
    assert len(set(seen.values())) == 3  # each status its own colour, on top of its words


def test_active_incident_latest_update_is_visible_without_scrolling_on_a_phone(open_page):
    page = open_page(viewport={"width": 390, "height": 844}, is_mobile=True, has_touch=True).page
    update = page.locator(".sm-card .sm-update").first
    box = update.bounding_box()
    assert box is not None and box["y"] >= 0 and box["y"] + min(box["height"], 80) <= 844
    assert "rolling it back" in update.inner_text()


def tip(element) -> str:
    return element.evaluate("el => getComputedStyle(el, '::after').content")


def test_uptime_tooltips_by_keyboard(open_page):
    page = open_page().page
    for _ in range(60):
        page.keyboard.press("Tab")
        if page.evaluate("document.activeElement.classList.contains('sm-bar')"):
            break
    else:
        pytest.fail("no uptime day is reachable with Tab")
    today = page.evaluate_handle("document.activeElement")
    assert "uptime" in tip(today)
    page.keyboard.press("ArrowLeft")
    yesterday = page.evaluate_handle("document.activeElement")
    assert yesterday.evaluate("el => el.classList.contains('sm-bar')")
    assert tip(yesterday) != tip(today) and "uptime" in tip(yesterday)
    page.keyboard.press("Home")
    assert page.evaluate("document.activeElement === document.activeElement.parentElement.firstElementChild")


def test_uptime_tooltips_by_touch(open_page):
    page = open_page(viewport={"width": 390, "height": 844}, is_mobile=True, has_touch=True).page
    day = page.locator(".sm-bar").nth(85)
    day.scroll_into_view_if_needed()
    day.tap()
    assert "uptime" in tip(day.element_handle())


def test_times_switch_to_the_readers_time_zone(open_page):
    page = open_page(timezone_id="America/New_York", locale="en-US").page
    stamp = page.locator(".sm-card .sm-update time").first
    assert stamp.get_attribute("datetime") == "2026-11-23T11:05:00Z"
    text = stamp.inner_text()
    assert "6:05" in text and ("EST" in text or "GMT-5" in text), text
    assert stamp.get_attribute("title") == "23 Nov 2026, 11:05 UTC"


def test_times_stay_in_utc_without_javascript(open_page):
    page = open_page(java_script_enabled=False, timezone_id="Asia/Tokyo").page
    assert page.locator(".sm-card .sm-update time").first.inner_text() == "23 Nov 2026, 11:05 UTC"


def test_page_works_without_javascript(open_page):
    page = open_page(java_script_enabled=False).page
    assert page.inner_text(".sm-banner__text") == "Partial System Outage"
    assert page.locator(".sm-component").count() == 10
    page.click("text=Elevated error rates on the API and Dashboard")
    assert "rolling it back" in page.inner_text(".sm-timeline")


def test_dark_mode(open_page):
    page = open_page(color_scheme="dark").page
    assert page.evaluate("document.body.getAttribute('data-md-color-scheme')") == "slate"
    background = page.evaluate("getComputedStyle(document.body).backgroundColor")
    assert sum(int(x) for x in background[background.index("(") + 1 : background.index(")")].split(",")[:3]) < 200


def test_feed_and_subscribe_links_are_present(open_page):
    page = open_page().page
    hrefs = page.eval_on_selector_all("a", "els => els.map(a => a.getAttribute('href'))")
    assert "history.rss" in hrefs and "history.atom" in hrefs and "api/v2/summary.json" in hrefs
    assert any(h and h.startswith("subscribe") for h in hrefs)


@pytest.mark.parametrize("path", PAGES.values(), ids=PAGES.keys())
def test_no_console_errors_and_nothing_leaves_localhost(open_page, path: str):
    watched = open_page(path)
    watched.page.wait_for_load_state("networkidle")
    assert watched.errors == []
    assert watched.hosts == {"127.0.0.1"}


@pytest.mark.parametrize("path", PAGES.values(), ids=PAGES.keys())
@pytest.mark.parametrize("scheme", ["light", "dark"])
def test_axe_finds_no_serious_or_critical_violation(open_page, path: str, scheme: str):
    assert AXE.is_file(), "axe-core is missing: run `make test` (it installs it)"
    page = open_page(path, color_scheme=scheme).page
    page.add_script_tag(path=str(AXE))
    result = page.evaluate("axe.run(document, {resultTypes: ['violations']})")
    serious = [
        (v["id"], v["impact"], [n["target"] for n in v["nodes"]][:3])
        for v in result["violations"]
        if v["impact"] in ("serious", "critical")
    ]
    assert serious == []


def test_every_public_page_passes_the_nu_html_checker(sites: Path):
    assert VNU.is_file(), "vnu.jar is missing: run `make test` (it installs it)"
    pages = sorted(str(p) for p in (sites / "site").rglob("*.html"))
    done = subprocess.run(
        ["java", "-jar", str(VNU), "--errors-only", "--format", "json", *pages], capture_output=True, text=True
    )
    messages = json.loads(done.stderr or done.stdout or '{"messages": []}')["messages"]
    assert [(m.get("url", "").rsplit("/site/", 1)[-1], m.get("message")) for m in messages] == []


def test_the_three_sites_differ_as_the_tiers_say(browser, sites: Path):
    texts = {}
    for audience, folder in (
        ("public", "site"),
        ("semi-technical", "site-semi-technical"),
        ("technical", "site-technical"),
    ):
        for url in _serve(sites / folder):
            context = browser.new_context()
            page = context.new_page()
            page.goto(url + "incidents/api-errors/")
            texts[audience] = page.inner_text("body")
            context.close()
    semi_only, tech_only = "A software update released at 10:21 UTC", "kubectl -n api rollout undo"
    assert semi_only not in texts["public"] and tech_only not in texts["public"]
    assert semi_only in texts["semi-technical"] and tech_only not in texts["semi-technical"]
    assert semi_only in texts["technical"] and tech_only in texts["technical"]
    assert "PodDisruptionBudget" in texts["technical"] and "PodDisruptionBudget" not in texts["semi-technical"]
    assert "Technical audience" in texts["technical"] and "Semi-technical audience" in texts["semi-technical"]


@pytest.mark.parametrize(
    ("name", "viewport"), [("desktop", {"width": 1280, "height": 900}), ("phone", {"width": 390, "height": 844})]
)
def test_screenshots_of_the_home_page(open_page, name: str, viewport: dict[str, int]):
    page = open_page(viewport=viewport).page
    SCREENSHOTS.mkdir(exist_ok=True)
    target = SCREENSHOTS / f"home-{name}.png"
    page.screenshot(path=str(target), full_page=name == "phone")  # desktop: the first screen, as the README shows it
    assert target.stat().st_size > 10_000
