"""信息公开 and the 人大 package: the publish decisions, the public documents (no token) and the yearly package.

Generic: the documents are the publication kinds the processes declare (services/publication.py)."""
from __future__ import annotations

from io import BytesIO
from typing import Any

from flask import request, send_file

from ..services import npc_package, publication
from . import api_bp
from .auth import current_actor
from .util import int_arg, json_body, jsonify_ok, paging

PDF = "application/pdf"


def _page(items: list[Any]) -> dict[str, Any]:
    limit, offset = paging()
    return {"items": items[offset:offset + limit], "total": len(items)}


@api_bp.get("/publications")
def list_publications():
    department = request.args.get("department") or None
    entries = publication.entries(current_actor(), year=int_arg("year"), kind=request.args.get("kind") or None,
                                  state=request.args.get("state") or None)
    items = [publication.entry_json(e) for e in entries]
    if department:
        items = [i for i in items if i["department"] == department]
    return jsonify_ok(_page(items))


@api_bp.get("/publications/<kind>/<int:object_id>")
def get_publication(kind: str, object_id: int):
    return jsonify_ok(publication.entry_json(publication.entry(current_actor(), kind, object_id)))


@api_bp.put("/publications/<kind>/<int:object_id>")
def decide_publication(kind: str, object_id: int):
    body = json_body(required=True)
    actor = current_actor()
    publication.set_disclosure(actor, kind, object_id, body.get("published"), body.get("reason"))
    return jsonify_ok(publication.entry_json(publication.entry(actor, kind, object_id)))


# -- public: no token ---------------------------------------------------------------------------------------------
def public_json(item: publication.PublicItem) -> dict[str, Any]:
    d = item.document
    return {"kind": item.kind.key, "kind_label": str(item.kind.label), "id": d.id, "code": d.code,
            "title": d.title, "department": item.department_code, "department_name": d.department_name,
            "fiscal_year": d.fiscal_year, "published_at": item.published_at.isoformat() if item.published_at else None,
            "pdf": f"/api/v1/public/documents/{item.kind.key}/{d.id}.pdf"}


@api_bp.get("/public/documents")
def public_documents():
    items = publication.public_items(year=int_arg("year"), department_code=request.args.get("department") or None,
                                     kind=request.args.get("kind") or None, query=request.args.get("q") or None)
    return jsonify_ok(_page([public_json(i) for i in items]))


@api_bp.get("/public/documents/<kind>/<int:object_id>.pdf")
def public_document_pdf(kind: str, object_id: int):
    found_kind, document = publication.public_document(kind, object_id)
    return send_file(BytesIO(publication.document_pdf(found_kind, document)), mimetype=PDF, as_attachment=True,
                     download_name=publication.pdf_filename(found_kind, document), max_age=0)


# -- 报送人大材料包 ------------------------------------------------------------------------------------------------
@api_bp.post("/npc-packages")
def request_npc_package():
    package = npc_package.request_package(current_actor(), json_body(required=True).get("fiscal_year"))
    return jsonify_ok(npc_package.package_json(npc_package.get(current_actor(), package.id)), 202)


@api_bp.get("/npc-packages")
def list_npc_packages():
    return jsonify_ok(_page([npc_package.package_json(p)
                             for p in npc_package.packages(current_actor(), int_arg("year"))]))


@api_bp.get("/npc-packages/<int:package_id>")
def get_npc_package(package_id: int):
    return jsonify_ok(npc_package.package_json(npc_package.get(current_actor(), package_id)))


@api_bp.get("/npc-packages/<int:package_id>/file")
def npc_package_file(package_id: int):
    data, filename = npc_package.read_file(current_actor(), package_id)
    response = send_file(BytesIO(data), mimetype=PDF, as_attachment=True, download_name=filename, max_age=0)
    response.headers["X-Content-SHA256"] = npc_package.get(current_actor(), package_id).sha256
    return response
