"""The PDF service prints Chinese text with an embedded CJK font (a reader needs no font of their own)."""
from __future__ import annotations

import pytest
from flask import render_template_string

from workflow_app.services import pdf


def test_pdf_embeds_a_cjk_font(app):
    with app.test_request_context():
        html = render_template_string(
            '{% extends "pdf/_base.html" %}{% block body %}<h1>绩效目标表</h1>'
            "<table><tr><th>项目名称</th><td>乡村道路硬化</td></tr></table>{% endblock %}")
        try:
            data = pdf.html_to_pdf(html, compress=False)
        except OSError as exc:  # Pango missing: the README's set-up installs it
            pytest.skip(f"Pango is not installed: {exc}")
    assert data.startswith(b"%PDF-")
    # The font is embedded as a subset of a CJK face, not referenced by name only.
    assert b"FontFile" in data
    assert b"Noto-Sans-CJK-SC" in data
