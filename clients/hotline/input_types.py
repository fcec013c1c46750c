from typing import Optional

from pydantic import Field

from .base_model import BaseModel
from .enums import CaseChannel, Satisfaction


class AttachmentInput(BaseModel):
    """An uploaded attachment"""

    key: str
    "Object key in the attachments bucket"
    content_type: str = Field(alias="contentType")
    "MIME type, e.g. image/jpeg"


class EvaluateCaseInput(BaseModel):
    """回访评价: the reporter's evaluation"""

    case_id: str = Field(alias="caseId")
    "The case"
    satisfaction: Satisfaction
    "How satisfied the reporter is"
    comment: str = ""
    "The reporter's comment"


class ReportCaseInput(BaseModel):
    """吹哨: report a problem"""

    channel: CaseChannel
    "How the case is reported"
    category: str
    "Catalogue category code"
    description: str
    "The problem, in the reporter's words"
    location_unit_id: str = Field(alias="locationUnitId")
    "A grid, building or household"
    address: Optional[str] = None
    "Street address, shown to the handling chain"
    latitude: Optional[float] = None
    "Latitude (WGS-84)"
    longitude: Optional[float] = None
    "Longitude (WGS-84)"
    attachments: list["AttachmentInput"] = Field(default_factory=lambda: [])
    "Photos and files already uploaded"
    anonymous: bool = False
    "Hide the reporter from all but district-wide staff"
    idempotency_key: Optional[str] = Field(alias="idempotencyKey", default=None)
    "A retried report with the same key returns the same case"


ReportCaseInput.model_rebuild()
