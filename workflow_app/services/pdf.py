"""PDF documents rendered from HTML templates (WeasyPrint): goal tables, evaluation reports, the 人大 package.

Every report is a Jinja template under templates/pdf/ that extends `pdf/_base.html` (A4, page numbers, the
CJK font stack). Fonts come from the system (fontconfig): Debian's fonts-noto-cjk, installed by the README's
set-up and by CI; WeasyPrint embeds the subsets it uses, so a reader needs no font of their own.
WeasyPrint is imported on first use: it loads Pango, which a process that never prints should not pay for.
"""
from __future__ import annotations

from typing import Any

from flask import render_template

PDF_MIMETYPE = "application/pdf"


def html_to_pdf(html: str, base_url: str | None = None, *, compress: bool = True) -> bytes:
    """`compress=False` leaves the PDF's objects readable (the tests look for the embedded font in it)."""
    from weasyprint import HTML  # noqa: PLC0415 - see the module's docstring

    return HTML(string=html, base_url=base_url).write_pdf(uncompressed_pdf=not compress)


def render_pdf(template: str, **context: Any) -> bytes:
    """Render `template` (a templates/pdf/ page) with `context` and print it to PDF bytes."""
    return html_to_pdf(render_template(template, **context))
