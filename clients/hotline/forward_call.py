from typing import Optional

from pydantic import Field

from .base_model import BaseModel
from .enums import ErrorCode
from .fragments import HotlineCase


class ForwardCall(BaseModel):
    report_case: "ForwardCallReportCase" = Field(alias="reportCase")


class ForwardCallReportCase(BaseModel):
    case: Optional["ForwardCallReportCaseCase"]
    errors: list["ForwardCallReportCaseErrors"]


ForwardCallReportCaseCase = HotlineCase


class ForwardCallReportCaseErrors(BaseModel):
    code: ErrorCode
    field: Optional[str]
    message: str


ForwardCall.model_rebuild()
ForwardCallReportCase.model_rebuild()
