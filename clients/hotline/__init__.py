from .base_client import BaseClient
from .base_model import BaseModel, Upload
from .case_by_code import CaseByCode, CaseByCodeCaseByCode, CaseByCodeCaseByCodeTimeline
from .client import HotlineClient
from .enums import (
    CaseAction,
    CaseChannel,
    CaseLevel,
    CaseState,
    ErrorCode,
    Satisfaction,
)
from .exceptions import (
    GraphQLClientError,
    GraphQLClientGraphQLError,
    GraphQLClientGraphQLMultiError,
    GraphQLClientHttpError,
    GraphQLClientInvalidResponseError,
)
from .forward_call import (
    ForwardCall,
    ForwardCallReportCase,
    ForwardCallReportCaseCase,
    ForwardCallReportCaseErrors,
)
from .fragments import HotlineCase
from .input_types import (
    AttachmentInput,
    CallerInput,
    EvaluateCaseInput,
    ExternalRefInput,
    ReportCaseInput,
)
from .record_callback import (
    RecordCallback,
    RecordCallbackEvaluateCase,
    RecordCallbackEvaluateCaseCase,
    RecordCallbackEvaluateCaseErrors,
)
from .track_case import TrackCase, TrackCaseTrackCase, TrackCaseTrackCaseTimeline

__all__ = [
    "AttachmentInput",
    "BaseClient",
    "BaseModel",
    "CallerInput",
    "CaseAction",
    "CaseByCode",
    "CaseByCodeCaseByCode",
    "CaseByCodeCaseByCodeTimeline",
    "CaseChannel",
    "CaseLevel",
    "CaseState",
    "ErrorCode",
    "EvaluateCaseInput",
    "ExternalRefInput",
    "ForwardCall",
    "ForwardCallReportCase",
    "ForwardCallReportCaseCase",
    "ForwardCallReportCaseErrors",
    "GraphQLClientError",
    "GraphQLClientGraphQLError",
    "GraphQLClientGraphQLMultiError",
    "GraphQLClientHttpError",
    "GraphQLClientInvalidResponseError",
    "HotlineCase",
    "HotlineClient",
    "RecordCallback",
    "RecordCallbackEvaluateCase",
    "RecordCallbackEvaluateCaseCase",
    "RecordCallbackEvaluateCaseErrors",
    "ReportCaseInput",
    "Satisfaction",
    "TrackCase",
    "TrackCaseTrackCase",
    "TrackCaseTrackCaseTimeline",
    "Upload",
]
