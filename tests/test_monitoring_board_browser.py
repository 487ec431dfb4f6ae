"""The monitoring board in a real browser (chromium via Playwright): the ECharts charts draw under the page's
Content-Security-Policy, without a console error, and the tables under them carry the same figures."""
from __future__ import annotations

from .test_browser import CHROMIUM, chromium, live, login, pytestmark  # noqa: F401 - fixtures and the skip
from .test_monitoring_board import round_  # noqa: F401 - the fixture


def test_the_board_draws_its_charts(app, live, chromium, round_):  # noqa: F811
    page = chromium.new_context().new_page()
    errors: list[str] = []
    page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
    login(page, live, "jxk")
    page.goto(f"{live}/monitoring/rounds/{round_['id']}/board")
    page.wait_for_selector("[data-board-chart=colours] canvas")
    page.wait_for_selector("[data-board-chart=outcomes] canvas")
    height = page.eval_on_selector("[data-board-chart=colours]", "el => el.getBoundingClientRect().height")
    assert height >= 160   # sized by the script (four departments)
    # the charts are hidden from screen readers; the table holds the figures
    assert page.get_attribute("[data-board-chart=colours]", "aria-hidden") == "true"
    assert page.inner_text('tr[data-department="slj"] [data-colour-count="red"]') == "2"
    assert errors == []
