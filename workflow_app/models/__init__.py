"""The data model. Import models from here so that Alembic sees every table."""
from .org import ApiToken, Department, Role, User, UserRole
from .project import FundSource, GoalStatus, Project, ProjectKind
from .workflow import GroupQueueSize, HumanTask, InstanceStatus, ProcessDefinition, ProcessInstance, TaskState
from .audit import AuditChainHead, AuditEvent
from .notification import Notification
from .goal import GoalReview, GoalVersion, Indicator, ReviewOpinion
from .attachment import Attachment
from .collab import Comment, StandIn
from .rectification import Rectification, RectificationRecord, RectificationStatus
from .batch import BatchChunk
from .publication import NpcPackage, Publication
from .ex_ante import ExAnteAssessment, ExAnteConclusion, ExAnteMaterial, ExAnteOpinion, ExAnteStatus
from .department_performance import (DepartmentGoalVersion, DepartmentIndicator, DepartmentPerformance,
                                     DepartmentPerformanceOpinion)
from .key_evaluation import KeyEvaluation, KeyEvaluationMark, KeyEvaluationOpinion
from .result_application import ResultApplication
from .self_evaluation import EvaluationRound, SelfEvaluation, SelfEvaluationStatus
from .execution import PaymentImport, PaymentRecord
from .monitoring import MonitoringIndicatorRow, MonitoringReport, MonitoringRound, ReportStatus, RoundStatus

__all__ = [
    "DepartmentGoalVersion", "DepartmentIndicator", "DepartmentPerformance", "DepartmentPerformanceOpinion",
    "KeyEvaluation", "KeyEvaluationMark", "KeyEvaluationOpinion",
    "ResultApplication", "EvaluationRound", "SelfEvaluation", "SelfEvaluationStatus",
    "NpcPackage", "Publication",
    "PaymentImport", "PaymentRecord",
    "MonitoringIndicatorRow", "MonitoringReport", "MonitoringRound", "ReportStatus", "RoundStatus",
    "ExAnteAssessment", "ExAnteConclusion", "ExAnteMaterial", "ExAnteOpinion", "ExAnteStatus",
    "ApiToken", "BatchChunk", "GroupQueueSize", "Comment", "StandIn", "Attachment", "Rectification", "RectificationRecord", "RectificationStatus", "GoalReview", "GoalVersion", "Indicator", "ReviewOpinion", "AuditEvent", "Department", "FundSource", "GoalStatus", "HumanTask", "InstanceStatus", "Notification",
    "ProcessDefinition", "ProcessInstance", "Project", "ProjectKind", "Role", "TaskState", "User", "UserRole",
]
