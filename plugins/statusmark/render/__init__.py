"""Renderers: a filtered Site in, text out (pages, feeds, API). No I/O here."""
