"""The monitoring warnings (services/monitoring_warnings.py): the execution colour against time elapsed and the
indicator flag, as tables of cases, and their thresholds as settings."""
from __future__ import annotations

from decimal import Decimal

import pytest

from workflow_app.services.monitoring_warnings import execution_colour, indicator_flag, time_ratio

D = Decimal


# rate (percent), month, colour. At month 6 time elapsed is 50 %: red below 30 %, yellow below 40 %.
@pytest.mark.parametrize("rate,month,colour", [
    (D("29.99"), 6, "red"), (D("30.00"), 6, "yellow"), (D("39.99"), 6, "yellow"), (D("40.00"), 6, "green"),
    (D("0"), 1, "red"), (D("4.99"), 1, "red"), (D("5"), 1, "yellow"), (D("6.67"), 1, "green"),  # 8.33 % elapsed
    (D("34.99"), 7, "red"), (D("35"), 7, "yellow"), (D("46.66"), 7, "yellow"), (D("46.67"), 7, "green"),  # 7/12 = 58.33 %: 60 % of it is 35
    (D("59.99"), 12, "red"), (D("60"), 12, "yellow"), (D("80"), 12, "green"), (D("120"), 8, "green"),
    (None, 7, "green"),                                                   # no budget: nothing to execute
])
def test_execution_colour(app, rate, month, colour):
    with app.app_context():
        assert execution_colour(rate, month) == colour


def test_execution_colour_reads_its_settings(app, monkeypatch):
    with app.app_context():
        assert execution_colour(D("45"), 6) == "green"      # ratio 90 %
        monkeypatch.setitem(app.config, "MONITORING_YELLOW_BELOW", "95")
        assert execution_colour(D("45"), 6) == "yellow"
        monkeypatch.setitem(app.config, "MONITORING_RED_BELOW", "91")
        assert execution_colour(D("45"), 6) == "red"
        assert execution_colour(D("45"), 6, red_below=D("50"), yellow_below=D("60")) == "green"
    monkeypatch.setenv("MONITORING_RED_BELOW", "10")
    monkeypatch.setenv("MONITORING_YELLOW_BELOW", "20")
    assert execution_colour(D("15"), 12) == "yellow"        # no app: the environment
    assert execution_colour(D("9"), 12) == "red"


def test_time_ratio_and_bad_months():
    assert time_ratio(D("50"), 6) == D("100") and time_ratio(None, 3) is None
    for month in (0, 13, -1):
        with pytest.raises(ValueError):
            execution_colour(D("10"), month)
        with pytest.raises(ValueError):
            indicator_flag("确定能", ">=", "10", "5", month)


# likelihood, operator, target, progress, month, flagged   (lag 20 %)
@pytest.mark.parametrize("likelihood,operator,target,progress,month,flagged", [
    # the likelihood alone
    ("有可能", ">=", "100", "100", 12, True), ("完全不可能", "定性", "达到预期", "", 6, True),
    ("确定能", "定性", "达到预期", "", 6, False), (None, "定性", "达到预期", None, 6, False),
    ("certain", "定性", "达到预期", "", 6, False), ("possible", ">=", "10", "10", 12, True),  # the stored codes
    # ≥ 1200 at month 6: pro-rata 600, flagged below 480
    ("确定能", ">=", "1200", "480", 6, False), ("确定能", ">=", "1200", "479.99", 6, True),
    ("确定能", "≥", "1200", "100", 6, True), (None, ">=", "1200", "900", 6, False),
    ("确定能", ">=", "95%", "70", 9, False), ("确定能", ">=", "95", "56", 9, True),   # 71.25 × 0.8 = 57
    ("确定能", "=", "10", "3", 6, True), ("确定能", "=", "10", "4", 6, False),
    # ≤ 100 at month 6: pro-rata 50, flagged above 60
    ("确定能", "<=", "100", "60", 6, False), ("确定能", "<=", "100", "60.01", 6, True),
    ("确定能", "≤", "0", "1", 3, True), ("确定能", "<=", "5", "0", 3, False),
    # not numbers: only the likelihood counts
    ("确定能", ">=", "较上年提高", "50", 6, False), ("确定能", ">=", "100", "", 6, False),
    ("确定能", ">=", "100", None, 6, False), ("确定能", "?", "100", "0", 6, False),
    ("确定能", ">=", "1,200", "100", 6, True),
])
def test_indicator_flag(app, likelihood, operator, target, progress, month, flagged):
    with app.app_context():
        assert indicator_flag(likelihood, operator, target, progress, month) is flagged


def test_indicator_lag_is_a_setting(app, monkeypatch):
    with app.app_context():
        assert indicator_flag("确定能", ">=", "1200", "400", 6) is True       # 400 < 480
        monkeypatch.setitem(app.config, "MONITORING_INDICATOR_LAG", "50")
        assert indicator_flag("确定能", ">=", "1200", "400", 6) is False      # 400 ≥ 300
        assert indicator_flag("确定能", ">=", "1200", "400", 6, lag=D("0")) is True
