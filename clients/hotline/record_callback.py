from typing import Optional

from pydantic import Field

from .base_model import BaseModel
from .enums import ErrorCode
from .fragments import HotlineCase


class RecordCallback(BaseModel):
    evaluate_case: "RecordCallbackEvaluateCase" = Field(alias="evaluateCase")


class RecordCallbackEvaluateCase(BaseModel):
    case: Optional["RecordCallbackEvaluateCaseCase"]
    errors: list["RecordCallbackEvaluateCaseErrors"]


RecordCallbackEvaluateCaseCase = HotlineCase


class RecordCallbackEvaluateCaseErrors(BaseModel):
    code: ErrorCode
    field: Optional[str]
    message: str


RecordCallback.model_rebuild()
RecordCallbackEvaluateCase.model_rebuild()
