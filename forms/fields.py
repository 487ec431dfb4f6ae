"""Fields shared by the task forms."""
from __future__ import annotations

from flask_babel import gettext, lazy_gettext as _l
from decimal import Decimal

from wtforms import DecimalField, RadioField
from wtforms.validators import Length, ValidationError

TRUE_VALUES = {"true", "1", "yes", "on", "y"}
FALSE_VALUES = {"false", "0", "no", "off", "n"}


def strict_bool(value: object) -> bool | None:
    if isinstance(value, bool) or value is None:
        return value
    text = str(value).strip().lower()
    if text in TRUE_VALUES:
        return True
    if text in FALSE_VALUES:
        return False
    raise ValueError(f"not a yes/no value: {value!r}")


class DecisionField(RadioField):
    """A yes/no decision (同意/退回). Unlike BooleanField, anything but a clear yes or no is an error,
    so an API call with "approved": "maybe" is refused instead of read as yes."""

    def __init__(self, label=None, validators=None, yes=None, no=None, **kwargs):
        choices = [("true", yes or _l("同意")), ("false", no or _l("不同意"))]
        super().__init__(label, validators, choices=choices, coerce=str, **kwargs)

    def process_formdata(self, valuelist):
        self.data = None
        if valuelist and valuelist[0] != "":
            try:
                self.data = strict_bool(valuelist[0])
            except ValueError:
                self.data = None
                raise ValueError(str(_l("请选择是或否")))

    def pre_validate(self, form):
        if self.data is None:
            raise ValidationError(str(_l("请选择是或否")))

    def _value(self):
        return "" if self.data is None else ("true" if self.data else "false")

    def iter_choices(self):
        current = self._value()
        for value, label in self.choices:
            yield (value, label, value == current, {})


# Numeric(14, 2) (amounts) and Numeric(6, 2) (weights) hold less than this: a larger value is refused here
# rather than overflowing (PostgreSQL) or being stored inexactly (SQLite) by the database.
AMOUNT_LIMIT = Decimal("1e12")


class AmountField(DecimalField):
    """An exact decimal (万元, weights): a finite number ("NaN", "sNaN" or "Infinity" are errors, not values)
    with at most `places` decimals. 万元 to two places is to the 100 元: a third decimal is refused with a
    message rather than rounded away by the column."""

    def process_formdata(self, valuelist):
        super().process_formdata(valuelist)
        if not isinstance(self.data, Decimal):
            return
        if not self.data.is_finite():
            self.data = None
            raise ValueError(str(_l("必须是数字")))
        # These two messages are not in the translation catalogue yet (it is updated on its own); Chinese meanwhile.
        if abs(self.data) >= AMOUNT_LIMIT:
            self.data = None
            raise ValueError("数值超出范围（须小于1万亿）")
        if self.places is not None and self.data != self.data.quantize(Decimal(1).scaleb(-self.places)):
            self.data = None
            raise ValueError(f"最多{self.places}位小数")


class MaxChars(Length):
    """A text limit that says the limit and how much was sent ("不超过2000字（当前2105字）").

    WTForms renders the limit as the field's maxlength (the page's counter reads it); this check is what
    holds when the browser's maxlength was bypassed (a script, the API, an old page)."""

    def __init__(self, max: int) -> None:
        super().__init__(max=max)

    def __call__(self, form, field) -> None:
        length = len(field.data) if isinstance(field.data, str) else 0
        if length > self.max:
            raise ValidationError(gettext("不超过%(max)s字（当前%(length)s字）", max=self.max, length=length))
