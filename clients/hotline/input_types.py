from typing import Optional

from pydantic import Field

from .base_model import BaseModel
from .enums import CaseChannel, Satisfaction


class AttachmentInput(BaseModel):
    key: str
    content_type: str = Field(alias="contentType")


class EvaluateCaseInput(BaseModel):
    case_id: str = Field(alias="caseId")
    satisfaction: Satisfaction
    comment: str = ""


class ReportCaseInput(BaseModel):
    """吹哨: report a problem"""

    channel: CaseChannel
    category: str
    description: str
    location_unit_id: str = Field(alias="locationUnitId")
    "A grid, building or household"
    address: Optional[str] = None
    latitude: Optional[float] = None
    longitude: Optional[float] = None
    attachments: list["AttachmentInput"] = Field(default_factory=lambda: [])
    anonymous: bool = False
    idempotency_key: Optional[str] = Field(alias="idempotencyKey", default=None)
    "A retried report with the same key returns the same case"


ReportCaseInput.model_rebuild()
