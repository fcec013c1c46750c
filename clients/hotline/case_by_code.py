from typing import Optional

from pydantic import Field

from .base_model import BaseModel
from .enums import CaseAction, CaseState
from .fragments import HotlineCase


class CaseByCode(BaseModel):
    case_by_code: Optional["CaseByCodeCaseByCode"] = Field(alias="caseByCode")


class CaseByCodeCaseByCode(HotlineCase):
    timeline: list["CaseByCodeCaseByCodeTimeline"]


class CaseByCodeCaseByCodeTimeline(BaseModel):
    seq: int
    action: CaseAction
    to_state: CaseState = Field(alias="toState")
    at: str
    note: Optional[str]


CaseByCode.model_rebuild()
CaseByCodeCaseByCode.model_rebuild()
