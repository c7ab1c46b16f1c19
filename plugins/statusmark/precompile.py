"""The theme's and the pages' Jinja templates, compiled at install: ``python -m statusmark.precompile``.

A build compiles every template it loads: the theme's ``main.html`` and the partials it
includes, ``404.html``, ``sitemap.xml``, the page bodies. With no cache yet (a first
build, a CI run without one) each audience's build did it again, 0.28 s of each at
10,000 events. ``make`` compiles them once when it installs Statusmark, as Python's own
modules are (``compileall``), for the theme as a site without ``custom_dir`` uses it;
``TemplateCache`` finds them there (Jinja's documented way to ship templates compiled).
Jinja takes one only if it was compiled from the template's file as it is now, by the
same Jinja: an override of the site's own, or an upgraded theme, is compiled as before.
"""

from __future__ import annotations

import sys
from collections.abc import Iterable
from pathlib import Path

import jinja2
from jinja2.meta import find_referenced_templates
from mkdocs.theme import Theme

from .datacache import INSTALLED, TemplateCache
from .plugin import add_theme_folder
from .render.pages import PAGE_TEMPLATES, page_environment
from .themeenv import use_theme_env


def compile_installed(folder: Path = INSTALLED, theme_name: str = "material") -> int:
    """Compile into ``folder``'s bytecode cache every template a build loads by a fixed name;
    how many there are."""
    cache = TemplateCache(folder)
    theme = Theme(name=theme_name)
    add_theme_folder(theme)  # as a build does
    use_theme_env(theme, cache)  # the environments a build makes, with their options
    return _compile(theme.get_env(), ["main.html", *sorted(theme.static_templates)]) + _compile(
        page_environment(None, cache), PAGE_TEMPLATES
    )


def _compile(env: jinja2.Environment, names: Iterable[str]) -> int:
    """Load (compiling, through the environment's bytecode cache) ``names`` and all they
    name with a fixed name (``{% extends %}``, ``{% include %}``, ``{% import %}``); how
    many were found."""
    assert env.loader is not None
    pending, seen, found = list(names), set(), 0
    while pending:
        name = pending.pop()
        if name in seen:
            continue
        seen.add(name)
        try:
            env.get_template(name)
            source, _, _ = env.loader.get_source(env, name)
        except jinja2.TemplateNotFound:
            continue  # e.g. a theme without sitemap.xml: no build loads it either
        found += 1
        pending += [named for named in find_referenced_templates(env.parse(source)) if named]
    return found


if __name__ == "__main__":
    print(f"compiled {compile_installed()} templates", file=sys.stderr)
