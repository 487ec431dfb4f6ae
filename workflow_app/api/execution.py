"""预算执行 (budget execution): the import of the payment system's export and a project's execution by month."""
from __future__ import annotations

from decimal import Decimal
from typing import Any

from flask import jsonify, request

from ..json_provider import exact_number
from ..services import execution, projects
from ..services.execution import ImportResult, MonthRow, PaymentFileRejected
from . import api_bp
from .auth import current_actor
from .util import int_arg, jsonify_ok


def import_json(result: ImportResult) -> dict[str, Any]:
    record = result.payment_import
    return {"id": record.id, "filename": record.filename, "sha256": record.sha256, "unit": record.unit,
            "rows": result.rows, "replaced": result.replaced, "projects": result.projects, "years": result.years,
            "imported_by": record.imported_by.username if record.imported_by else None,
            "created_at": record.created_at.isoformat()}


def month_json(row: MonthRow) -> dict[str, Any]:
    return {"month": row.month, "amount": exact_number(row.amount), "cumulative": exact_number(row.cumulative),
            "rate": exact_number(row.rate), "imported": row.imported}


@api_bp.post("/payment-imports")
def import_payments():
    """multipart: `file` (.xlsx or .csv), optional `year`. 422 lists every bad row in `rows`; nothing is saved."""
    upload = request.files.get("file")
    try:
        result = execution.import_payments(current_actor(), upload.stream if upload else None,
                                           upload.filename if upload else None, request.form.get("year"))
    except PaymentFileRejected as error:
        return jsonify({"error": error.code, "message": error.message, "fields": error.fields,
                        "rows": [e.as_dict() for e in error.rows]}), 422
    return jsonify_ok(import_json(result), 201)


@api_bp.get("/projects/<int:project_id>/execution")
def project_execution(project_id: int):
    project = projects.get_project(current_actor(), project_id)
    year = int_arg("year") or project.fiscal_year
    months = execution.monthly_execution(project, year)
    executed = months[-1].cumulative if months else Decimal("0.00")
    return jsonify_ok({"project_id": project.id, "year": year, "budget": exact_number(project.amount),
                       "executed": exact_number(executed),
                       "rate": exact_number(execution.execution_rate(executed, project.amount)),
                       "months": [month_json(m) for m in months]})
