"""The engine layer: the only package that imports SpiffWorkflow."""
from .clock import frozen_at, now
from .runtime import EngineError, FiredTimer, ReadyTask, TaskNotReady, WorkflowRun
from .scripting import make_script_engine
from .specs import SPEC_CACHE, FileProblem, ParseResult, bundle_hash, parse_dirs

__all__ = [
    "EngineError", "FileProblem", "FiredTimer", "ParseResult", "ReadyTask", "SPEC_CACHE", "TaskNotReady",
    "WorkflowRun", "bundle_hash", "frozen_at", "make_script_engine", "now", "parse_dirs",
]
