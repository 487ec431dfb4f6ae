"""The instance page: where the work stands and what happened."""
from __future__ import annotations

from flask import Blueprint, render_template
from flask_login import current_user, login_required

from ..services import history, instances

bp = Blueprint("instances", __name__)


@bp.get("/instances/<int:instance_id>")
@login_required
def detail(instance_id: int):
    view = history.instance_view(current_user._get_current_object(), instance_id)
    data = instances.load_run(view.instance).data if view.show_data else None
    return render_template("instances/detail.html", view=view, data=data)
