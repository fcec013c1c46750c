from typing import Optional

from pydantic import Field

from .base_model import BaseModel
from .enums import CaseLevel, CaseState, Satisfaction


class HotlineCase(BaseModel):
    id: str
    code: str
    state: CaseState
    level: Optional[CaseLevel]
    assignee_name: Optional[str] = Field(alias="assigneeName")
    result: Optional[str]
    satisfaction: Optional[Satisfaction]
    reported_at: str = Field(alias="reportedAt")
    updated_at: str = Field(alias="updatedAt")


HotlineCase.model_rebuild()
