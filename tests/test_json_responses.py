"""JSON responses are written by orjson (workflow_app/json_provider.py) and must say the same things Flask's
encoder said: UTF-8 JSON, Chinese as itself, exact integers of any size, Decimals as strings."""
from __future__ import annotations

import json
from decimal import Decimal

from flask import jsonify


def test_api_answers_utf8_json_with_chinese_unescaped(api):
    response = api("rsj_filer").get("/api/v1/projects")
    assert response.status_code == 200
    assert response.mimetype == "application/json"
    body = response.get_data()
    assert "城乡居民就业技能培训补贴".encode() in body  # not \\u escapes
    assert json.loads(body)["total"] >= 1


def test_values_orjson_cannot_hold_are_written_as_before(app):
    with app.test_request_context():
        big = jsonify({"n": 2**70, "amount": Decimal("320.50"), 7: "int key"})
        assert json.loads(big.get_data()) == {"n": 2**70, "amount": "320.50", "7": "int key"}
        assert app.json.dumps({"a": [1, 2]}) == '{"a":[1,2]}'
        assert app.json.dumps({"a": 1}, indent=2) == '{\n  "a": 1\n}'
