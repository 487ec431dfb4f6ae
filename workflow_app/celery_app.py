"""The Celery application object, on its own so that services can queue a job by name without importing
the worker module (which imports the services: the other direction would be a cycle).

`workflow_app.worker` configures it (`init_celery`) and declares the jobs.
"""
from __future__ import annotations

from celery import Celery

celery_app = Celery("workflow_app")

# Job names services queue (declared in workflow_app.worker).
SEND_NOTIFICATION_MAIL = "workflow_app.send_notification_mail"
BUILD_NPC_PACKAGE = "workflow_app.build_npc_package"
START_INSTANCES_BATCH = "workflow_app.start_instances_batch"
