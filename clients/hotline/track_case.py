from typing import Optional

from pydantic import Field

from .base_model import BaseModel
from .enums import CaseAction, CaseLevel, CaseState


class TrackCase(BaseModel):
    track_case: Optional["TrackCaseTrackCase"] = Field(alias="trackCase")


class TrackCaseTrackCase(BaseModel):
    code: str
    state: CaseState
    level: Optional[CaseLevel]
    updated_at: str = Field(alias="updatedAt")
    timeline: list["TrackCaseTrackCaseTimeline"]


class TrackCaseTrackCaseTimeline(BaseModel):
    action: CaseAction
    to_state: CaseState = Field(alias="toState")
    at: str


TrackCase.model_rebuild()
TrackCaseTrackCase.model_rebuild()
