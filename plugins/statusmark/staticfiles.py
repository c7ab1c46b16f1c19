"""A site's static files written only when the live site lacks their bytes.

MkDocs copies every static file into the (staging) site on every build: the theme's
assets, the site's own images, and the feeds, API documents and badges Statusmark hands
it as generated files, about 280 per audience. Publishing then read each back to see
whether it changed. Here each is written through ``Output``, keyed by the digest of its
bytes (or, for feeds and the calendar, ``KeyedFile``, by the key of what they are made
from): a file the live site already holds (same key, same size and time as recorded) is
not written at all, and publishing knows the key of every file written without reading
it again. What ends up in the site is byte for byte what MkDocs would copy
(``tests/test_speed_cache.py`` compares cold and warm builds).
"""

from __future__ import annotations

import os
from collections.abc import Callable, Iterable

from mkdocs.config.defaults import MkDocsConfig
from mkdocs.structure.files import File, Files, InclusionLevel

from .datacache import Deferred
from .output import Output


class KeyedFile(File):
    """A generated file known by the key of what it is made from; made only when read.

    Feeds and the calendar come from the data cache (``Deferred``): when the live site
    holds the file as recorded under the same key, it is neither made, nor read from the
    cache, nor hashed. (Written directly, their text was read, encoded and hashed in every
    audience's build: about 7 MB each at 10,000 events.)
    """

    source: Deferred  # the data-cache entry it is made from
    _text: str | bytes | None = None

    @classmethod
    def deferred(cls, config: MkDocsConfig, src_uri: str, source: Deferred) -> KeyedFile:
        file = cls.generated(config, src_uri, content="")
        assert isinstance(file, KeyedFile)
        file.source, file._text = source, None
        return file

    @property
    def key(self) -> str:
        return "d:" + self.source.key

    @property  # type: ignore[override]
    def _content(self) -> str | bytes | None:  # what MkDocs' File reads its text from
        if self._text is None:
            self._text = self.source.text()
        return self._text

    @_content.setter
    def _content(self, value: str | bytes | None) -> None:
        self._text = value


class OutputFiles(Files):
    """MkDocs' file collection, copying its static files through ``output``."""

    def __init__(self, files: Iterable[File], output: Output):
        super().__init__(files)
        self.output = output

    def copy_static_files(
        self, dirty: bool = False, *, inclusion: Callable[[InclusionLevel], bool] = InclusionLevel.is_included
    ) -> None:
        if dirty:  # `mkdocs serve --dirty` copies only what changed, by time: MkDocs' own way
            super().copy_static_files(dirty, inclusion=inclusion)
            return
        for file in self:
            if file.is_documentation_page() or not inclusion(file.inclusion):
                continue
            if file.abs_src_path is not None and os.path.abspath(file.abs_src_path) == os.path.abspath(
                file.abs_dest_path
            ):
                continue  # a plugin wrote it into the site folder itself (MkDocs skips it too)
            if isinstance(file, KeyedFile):
                if self.output.keep(file.dest_uri, file.key):
                    file.source.kept()
                else:
                    self.output.write(file.dest_uri, file.key, file.content_bytes)
                continue
            self.output.put(file.dest_uri, None, file.content_bytes)  # known by its bytes, as publishing would
