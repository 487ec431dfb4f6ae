"""Entry point for the Celery command line: `celery -A workflow_app.celery_entry worker|beat`."""
from . import create_app

flask_app = create_app()
celery_app = flask_app.extensions["celery"]
