"""The theme's Jinja environments: a loader that lists without walking dot folders, and
compiled templates shared by every environment of the build.

Every build, MkDocs lists all of the theme's files (``env.list_templates``) to copy its
static ones, and drops every path with a dotted part (its patterns ``.*`` and ``*/.*``).
Material keeps 14,300 of its 14,500 files under ``.icons/``: walking and filtering them
took 0.2 s of every audience's build, only to drop them. ``ThemeLoader`` lists the same
files MkDocs keeps without descending into those folders; loading templates is unchanged
(icons are still found by name).

Material's search plugin asks the theme for a fresh environment three times per build
(to translate its placeholders), and each compiled ``partials/language.html`` anew: with
the bytecode cache given to every environment the theme makes, it compiles once.
``tests/test_themeenv.py`` holds the theme files MkDocs copies to the stock loader's.
"""

from __future__ import annotations

import os

import jinja2
from mkdocs.theme import Theme


class ThemeLoader(jinja2.FileSystemLoader):
    def list_templates(self) -> list[str]:
        found: set[str] = set()
        for searchpath in self.searchpath:
            for folder, subfolders, names in os.walk(searchpath, followlinks=self.followlinks):
                subfolders[:] = [name for name in subfolders if not name.startswith(".")]
                base = os.path.relpath(folder, searchpath).replace(os.sep, "/")
                prefix = "" if base == "." else base + "/"
                found.update(prefix + name for name in names if not name.startswith("."))
        return sorted(found)


def use_theme_env(theme: Theme, bytecode_cache: jinja2.BytecodeCache | None) -> None:
    """Make every ``theme.get_env()`` (MkDocs' build, plugins) use ``ThemeLoader`` and the cache."""

    def get_env() -> jinja2.Environment:
        env = Theme.get_env(theme)
        assert isinstance(env.loader, jinja2.FileSystemLoader)
        env.loader = ThemeLoader(env.loader.searchpath, env.loader.encoding, env.loader.followlinks)
        env.bytecode_cache = bytecode_cache
        return env

    theme.get_env = get_env  # type: ignore[method-assign]
