"""The theme's environments: the files MkDocs keeps, listed without walking dot folders;
no template compiled twice in a build, and none a build loads by name after ``make``
compiled them (``precompile``)."""

from __future__ import annotations

from collections import Counter
from pathlib import Path

import jinja2
from mkdocs.structure.files import Files
from statusmark import builder, datacache
from statusmark.builder import load_mkdocs_config
from statusmark.cli import main
from statusmark.datacache import TemplateCache
from statusmark.themeenv import ThemeLoader, use_theme_env

from .conftest import BASE_CONFIG, write_repo


def _theme_files(config, env: jinja2.Environment) -> list[tuple[str, str]]:
    files = Files([])
    files.add_files_from_theme(env, config)
    return [(f.src_uri, f.abs_src_path) for f in files]


def test_theme_files_are_those_of_the_stock_loader(tmp_path: Path) -> None:
    config_text = BASE_CONFIG.replace("  font: false\n", "  font: false\n  custom_dir: overrides\n")
    config_path = write_repo(tmp_path, {}, config_text)
    overrides = tmp_path / "overrides"
    for relative in (
        "assets/extra.css",  # kept
        "assets/logo.svg",
        "partials/footer.html",  # a template: MkDocs drops it
        ".hidden/kept-out.css",  # dotted folder at the root
        "assets/.cache/kept-out.js",  # dotted folder below
        ".dotfile",
        "assets/.also-dotted.css",
        "main.md",  # a Markdown file: dropped
    ):
        (overrides / relative).parent.mkdir(parents=True, exist_ok=True)
        (overrides / relative).write_text("x")
    config = load_mkdocs_config(config_path)
    stock = config.theme.get_env()
    assert not isinstance(stock.loader, ThemeLoader)

    use_theme_env(config.theme, None)
    ours = config.theme.get_env()
    assert isinstance(ours.loader, ThemeLoader)

    expected = _theme_files(config, stock)
    assert _theme_files(config, ours) == expected
    names = [uri for uri, _ in expected]
    assert "assets/extra.css" in names and not any(".hidden" in n or ".cache" in n for n in names)
    # Material's own static files are there; its 14,000 icons were never listed.
    assert any(n.startswith("assets/javascripts/") for n in names)
    assert len(ours.loader.list_templates()) < len(stock.loader.list_templates()) / 10
    # Templates in dotted folders still load by name (Material's icons are read that way).
    assert ours.get_template(".hidden/kept-out.css").render() == "x"


def test_no_template_is_compiled_twice_in_a_build(tmp_path: Path, fixed_now: str, monkeypatch) -> None:
    """Material's search plugin makes three environments of its own per build; with the
    bytecode cache given to every environment the theme makes, its template compiles once."""
    from .test_build import OPEN_INCIDENT

    config_path = write_repo(tmp_path, {"api.md": OPEN_INCIDENT})
    monkeypatch.setenv("STATUSMARK_CACHE_DIR", str(tmp_path / "cache"))  # a cold cache
    monkeypatch.setattr(datacache, "INSTALLED", tmp_path / "installed")  # none compiled at install
    compiled = _count_compiles(monkeypatch)
    assert main(["build", "-f", str(config_path)]) == 0
    assert any(name.endswith("partials/language.html") for name in compiled)
    assert [name for name, count in compiled.items() if count > 1] == []


def test_after_install_a_first_build_compiles_only_templates_named_at_render_time(
    tmp_path: Path, fixed_now: str, monkeypatch
) -> None:
    from statusmark.precompile import compile_installed

    from .test_build import OPEN_INCIDENT

    installed = tmp_path / "installed"
    monkeypatch.setattr(datacache, "INSTALLED", installed)
    assert compile_installed(installed) > 20  # main.html, base.html, its partials, our page templates
    custom = BASE_CONFIG.replace("  font: false\n", "  font: false\n  custom_dir: overrides\n")
    config_path = write_repo(tmp_path / "repo", {"api.md": OPEN_INCIDENT}, custom)
    (tmp_path / "repo" / "overrides" / "partials").mkdir(parents=True)
    (tmp_path / "repo" / "overrides" / "partials" / "copyright.html").write_text("<p>Our own footer</p>")
    monkeypatch.setenv("STATUSMARK_CACHE_DIR", str(tmp_path / "cache"))  # no cache of the site's own
    monkeypatch.setattr(builder, "SIDE_BY_SIDE", False)  # every audience built here, where it is counted
    compiled = _count_compiles(monkeypatch)
    assert main(["build", "--audience", "all", "-f", str(config_path)]) == 0
    # The site's own template, and Material's icons (named by a variable at render time).
    own = str(tmp_path / "repo" / "overrides" / "partials" / "copyright.html")
    assert own in compiled and all(name == own or "/.icons/" in name for name in compiled), sorted(compiled)
    assert "Our own footer" in (tmp_path / "repo" / "site" / "index.html").read_text()


def test_a_template_compiled_before_its_file_changed_is_compiled_again(tmp_path: Path, monkeypatch) -> None:
    """Bytecode of an older source is passed over: for the next place that holds the
    template as it is now (here, what install compiled), else for a compile."""
    monkeypatch.setattr(datacache, "INSTALLED", tmp_path / "installed")
    (tmp_path / "t").mkdir()
    page = tmp_path / "t" / "page.html"

    def render(cache: TemplateCache, x: int) -> str:
        monkeypatch.setattr(TemplateCache, "_memory", {})  # a new process
        env = jinja2.Environment(loader=jinja2.FileSystemLoader(str(tmp_path / "t")), bytecode_cache=cache)
        return env.get_template("page.html").render(x=x)

    page.write_text("first {{ x }}")
    assert render(TemplateCache(tmp_path / "installed"), 1) == "first 1"
    assert list((tmp_path / "installed" / "jinja").iterdir())  # compiled "at install"
    page.write_text("second {{ x }}")
    assert render(TemplateCache(tmp_path / "site-cache"), 2) == "second 2"  # the install's is stale

    # The site's cache holds the older source, the install the one there is now: no compile.
    monkeypatch.setattr(datacache, "INSTALLED", tmp_path / "nothing-installed")
    page.write_text("first {{ x }}")
    assert render(TemplateCache(tmp_path / "site-cache2"), 1) == "first 1"
    page.write_text("second {{ x }}")
    assert render(TemplateCache(tmp_path / "installed2"), 2) == "second 2"
    monkeypatch.setattr(datacache, "INSTALLED", tmp_path / "installed2")
    compiled = _count_compiles(monkeypatch)
    assert render(TemplateCache(tmp_path / "site-cache2"), 3) == "second 3"
    assert not compiled


def _count_compiles(monkeypatch) -> Counter[str]:
    """Templates compiled in this process from now on (none compiled earlier are reused)."""
    monkeypatch.setattr(TemplateCache, "_memory", {})
    compiled: Counter[str] = Counter()
    original = jinja2.Environment.compile

    def compile(self, source, name=None, filename=None, raw=False, defer_init=False):
        compiled[filename or name or "<string>"] += 1
        return original(self, source, name, filename, raw, defer_init)

    monkeypatch.setattr(jinja2.Environment, "compile", compile)
    return compiled
