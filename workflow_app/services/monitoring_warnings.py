"""The warnings of in-year monitoring (绩效运行监控), computed from the figures and never typed by anyone.

- Budget execution against time elapsed: ratio = 执行率 ÷ (月份/12 × 100), in percent. Below
  MONITORING_RED_BELOW (60) it is red (警示), below MONITORING_YELLOW_BELOW (80) yellow (提示), else green.
  A project without a budget (执行率 None) has nothing to execute and is green.
- An indicator row flags when its 完成目标可能性 is filled and is not 确定能 (or its code `certain`), or when a quantitative target is
  behind the pro-rata target (target × month/12) by more than MONITORING_INDICATOR_LAG percent:
  ≥ (and =) : progress < pro-rata × (1 − lag/100)        e.g. ≥ 1200 人次 at month 6: flagged below 480
  ≤         : progress > pro-rata × (1 + lag/100)        e.g. ≤ 100 万元 at month 6: flagged above 60
  A qualitative (定性) indicator, or a target or progress that is not a number, flags only by its likelihood.

The thresholds are settings (README), read on use like the ex-ante ones: the app's config when it names them,
else the environment, else the default.
"""
from __future__ import annotations

from decimal import Decimal, InvalidOperation
from typing import Any, Literal


from . import process_settings

Colour = Literal["red", "yellow", "green"]
COLOURS: tuple[Colour, ...] = ("red", "yellow", "green")
COLOUR_LABELS = {"red": "红色预警", "yellow": "黄色提示", "green": "正常"}
CERTAIN = "确定能"
# The likelihood as a label (确定能) or as the code the 监控表 rows store (models/monitoring.LIKELIHOODS).
_CERTAIN = {CERTAIN, "certain"}
LIKELIHOODS = ("确定能", "有可能", "完全不可能")
QUALITATIVE = "定性"

SETTINGS: dict[str, str] = {"MONITORING_RED_BELOW": "60", "MONITORING_YELLOW_BELOW": "80",
                            "MONITORING_INDICATOR_LAG": "20"}
_GREATER = {">=", "≥", "="}
_LESS = {"<=", "≤"}


def setting(name: str) -> Decimal:
    """A monitoring threshold (percent): see services/process_settings.py."""
    return process_settings.read(name, SETTINGS)


def thresholds() -> dict[str, Decimal]:
    """The three settings at once (a board computing many colours reads them once)."""
    return {"red_below": setting("MONITORING_RED_BELOW"), "yellow_below": setting("MONITORING_YELLOW_BELOW"),
            "lag": setting("MONITORING_INDICATOR_LAG")}


def _check_month(month: int) -> int:
    if isinstance(month, bool) or not 1 <= int(month) <= 12:
        raise ValueError(f"month must be 1..12, not {month!r}")
    return int(month)


def time_ratio(rate_percent: Decimal | None, month: int) -> Decimal | None:
    """执行率 against the share of the year elapsed, in percent (100 = exactly on time)."""
    month = _check_month(month)
    if rate_percent is None:
        return None
    return Decimal(rate_percent) * 12 / month


def execution_colour(rate_percent: Decimal | None, month: int, *, red_below: Decimal | None = None,
                     yellow_below: Decimal | None = None) -> Colour:
    """red | yellow | green for an execution rate (percent) at the end of `month` (1–12)."""
    ratio = time_ratio(rate_percent, month)
    if ratio is None:
        return "green"
    red = setting("MONITORING_RED_BELOW") if red_below is None else red_below
    yellow = setting("MONITORING_YELLOW_BELOW") if yellow_below is None else yellow_below
    if ratio < red:
        return "red"
    if ratio < yellow:
        return "yellow"
    return "green"


def _number(value: Any) -> Decimal | None:
    if value is None or isinstance(value, bool):
        return None
    text = str(value).strip().replace(",", "").rstrip("%")
    try:
        number = Decimal(text)
    except InvalidOperation:
        return None
    return number if number.is_finite() else None


def indicator_flag(likelihood: str | None, operator: str, target: Any, progress: Any, month: int, *,
                   lag: Decimal | None = None) -> bool:
    """Whether an indicator row of the monitoring table is a deviation to explain (see the module's rules)."""
    month = _check_month(month)
    if likelihood and likelihood.strip() and likelihood.strip() not in _CERTAIN:
        return True
    operator = (operator or "").strip()
    if operator == QUALITATIVE or operator not in _GREATER | _LESS:
        return False
    target_value, progress_value = _number(target), _number(progress)
    if target_value is None or progress_value is None:
        return False
    lag = setting("MONITORING_INDICATOR_LAG") if lag is None else Decimal(lag)
    pro_rata = target_value * month / 12
    if operator in _GREATER:
        return progress_value < pro_rata * (1 - lag / 100)
    return progress_value > pro_rata * (1 + lag / 100)
