"""Money (万元) is exact end to end: a JSON number by contract (API.md: `"amount": 120.5`), read without float
rounding, stored as Numeric(14, 2), written back with exactly its digits, and at most two decimals (0.01 万元 =
100 元) with a 422 naming the field otherwise."""
from __future__ import annotations

import io
import json
import re
import zipfile
from decimal import Decimal

import pytest
from sqlalchemy import select
from wtforms import Form

from forms.fields import AmountField
from workflow_app.extensions import db
from workflow_app.json_provider import ExactNumber, exact_number
from workflow_app.models import Project

from .test_rectification import Rect


def _create(client, code: str, amount_json: str):
    """POST a project with the amount written literally into the JSON text (no float in between)."""
    body = ('{"code": "%s", "name": "精确金额项目", "department": "rsj", "fiscal_year": 2027, "amount": %s}'
            % (code, amount_json))
    return client.client.post("/api/v1/projects", data=body, content_type="application/json",
                              headers=client._headers())


@pytest.mark.parametrize("amount", ["120.35", "0.1", "0.2", "0.3", "1.005e2", "999999999999.99", "100.10"])
def test_an_amount_round_trips_with_exactly_its_digits(app, api, amount):
    filer = api("rsj_filer")
    response = _create(filer, "2027-RSJ-901", amount)
    assert response.status_code == 201, response.get_json()
    stored = Decimal(amount)
    with app.app_context():
        assert db.session.scalars(select(Project.amount).where(Project.code == "2027-RSJ-901")).one() == stored
    raw = filer.get(f"/api/v1/projects/{response.get_json()['id']}").get_data(as_text=True)
    written = re.search(r'"amount":([^,}]+)', raw).group(1)
    assert Decimal(written) == stored                       # the digits, not a float's neighbour
    assert not written.startswith('"')                      # a JSON number, as the contract says
    assert json.loads(raw, parse_float=Decimal)["amount"] == stored


def test_tenths_add_up_exactly(app, api):
    filer = api("rsj_filer")
    ids = [_create(filer, f"2027-RSJ-90{n}", text).get_json()["id"] for n, text in enumerate(["0.1", "0.2"])]
    amounts = [json.loads(filer.get(f"/api/v1/projects/{i}").get_data(), parse_float=Decimal)["amount"] for i in ids]
    assert sum(amounts) == Decimal("0.3")


@pytest.mark.parametrize("amount", ["120.355", "0.001", "120.3500000000000000001", "1e12"])
def test_more_than_two_decimals_or_digits_no_column_holds_are_a_422_that_saves_nothing(app, api, amount):
    filer = api("rsj_filer")
    response = _create(filer, "2027-RSJ-902", amount)
    assert response.status_code == 422, response.get_json()
    assert "amount" in response.get_json()["fields"]
    with app.app_context():
        assert db.session.scalars(select(Project).where(Project.code == "2027-RSJ-902")).first() is None


class _AmountForm(Form):
    amount = AmountField(places=2)


@pytest.mark.parametrize("text, ok", [("120.35", True), ("120.350", True), ("120.355", False),
                                      ("1e12", False), ("-3.10", True), ("0.30000000000000004", False)])
def test_task_form_amounts_have_at_most_two_decimals(app, text, ok):
    from werkzeug.datastructures import MultiDict
    with app.test_request_context():
        form = _AmountForm(formdata=MultiDict({"amount": text}))
        assert form.validate() is ok, form.errors
        if ok:
            assert form.amount.data == Decimal(text)


def test_a_task_completion_refuses_a_third_decimal_and_keeps_an_exact_amount(app, api):
    rect = Rect(app, api)
    rect.plan_accepted()
    rect.do(rect.filer, "report_progress", {"progress": "已整改", "evidence": [], "done": True})
    rect.do(rect.supervisor, "audit", {"verdict": "accept", "opinion": "通过"})
    refused = rect.do(rect.jxk, "apply_result", {"budget_decision": "reduce", "recovered_amount": 0.125}, expect=422)
    assert "recovered_amount" in refused.get_json()["fields"]
    rect.do(rect.jxk, "apply_result", {"budget_decision": "reduce", "recovered_amount": 0.35})
    raw = rect.jxk.get(f"/api/v1/rectifications/{rect.id}").get_data(as_text=True)
    assert '"recovered_amount":0.35' in raw


def test_the_ledger_writes_the_recovered_amounts_digits(app, api):
    recovered = ["0.1", "0.2", "120.35"]
    for text in recovered:
        rect = Rect(app, api)
        rect.plan_accepted()
        rect.do(rect.filer, "report_progress", {"progress": "已整改", "evidence": [], "done": True})
        rect.do(rect.supervisor, "audit", {"verdict": "accept", "opinion": "通过"})
        rect.do(rect.jxk, "apply_result", {"budget_decision": "reduce", "recovered_amount": float(text)})
    export = api("jxk").get("/api/v1/rectifications/ledger.xlsx?year=2027")
    assert export.status_code == 200
    with zipfile.ZipFile(io.BytesIO(export.data)) as book:
        sheet = book.read("xl/worksheets/sheet1.xml").decode()
    # The amount column's cells carry the decimal digits themselves, so Excel's sum is the ledger's sum.
    values = re.findall(r'<c r="O\d+"[^>]*><v>([^<]+)</v>', sheet)
    assert sorted(Decimal(v) for v in values) == sorted(Decimal(t) for t in recovered)
    assert sum(Decimal(v) for v in values) == Decimal("120.65")


def test_exact_number_is_written_with_its_digits_and_a_bare_decimal_as_before(app):
    with app.test_request_context():
        assert app.json.dumps({"a": exact_number(Decimal("120.50")), "b": exact_number(None)}) == '{"a":120.5,"b":null}'
        # the standard library path (a value orjson cannot hold) writes the same number
        assert json.loads(app.json.dumps({"a": ExactNumber(Decimal("0.30")), "n": 2**70}),
                          parse_float=Decimal) == {"a": Decimal("0.3"), "n": 2**70}
