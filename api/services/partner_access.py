"""Who may see and do what with red partners.

- The directory (names, kinds, statuses, resources) and the published lists are public.
- Contacts are shown unmasked to the managing units — staff whose scope covers the partner's
  directory unit (the district for the 名录, a street for its 子库) — and to the units the
  partner works for (communities whose projects it has claimed); masked to everyone else.
- A partner's representatives act for it (claims, delivery reports); so do staff who manage
  its directory unit (claims recorded at a meeting).
- Needs and projects belong to the community or grid that published them: staff who manage
  partners there (and above) change them.
"""

from __future__ import annotations

from api.domain.errors import Forbidden, NotFound
from api.domain.messages import Message, msg
from api.domain.roles import Permission
from api.records.partner import PartnerRecord, ProjectRecord
from api.services.actor import Actor
from api.store.db import Db

NO_SUCH_PARTNER = msg("partner.not_found")
NO_SUCH_PROJECT = msg("partner.project_not_found")


def manages_partner(actor: Actor, partner: PartnerRecord) -> bool:
    return actor.can(Permission.MANAGE_PARTNERS, partner.directory_path)


def represents(actor: Actor, partner: PartnerRecord) -> bool:
    return actor.person_id is not None and actor.person_id in partner.representative_ids


def sees_contacts(actor: Actor, partner: PartnerRecord) -> bool:
    if represents(actor, partner) or actor.can(Permission.READ_PARTNERS, partner.directory_path):
        return True
    return any(actor.can(Permission.READ_PARTNERS, path) for path in partner.served_paths)


def require_manage_partner(actor: Actor, partner: PartnerRecord, what: Message) -> None:
    actor.require_login()
    if not manages_partner(actor, partner):
        raise Forbidden(msg("partner.forbidden_action", what=what), field="partnerId")


def require_act_for(actor: Actor, partner: PartnerRecord) -> None:
    """Representatives act for their partner; managing staff may act on its behalf."""
    actor.require_login()
    if not (represents(actor, partner) or manages_partner(actor, partner)):
        raise Forbidden(msg("partner.not_representative"), field="partnerId")


def require_manage_project(actor: Actor, project: ProjectRecord) -> None:
    actor.require_login()
    if not actor.can(Permission.MANAGE_PARTNERS, project.unit_path):
        raise Forbidden(msg("partner.project_owner_only"))


def reachable(partner: PartnerRecord, project: ProjectRecord) -> bool:
    """A district partner serves the whole district, a street partner its street."""
    return project.unit_path == partner.directory_path or project.unit_path.startswith(
        partner.directory_path + "/"
    )


def require_partner(db: Db, partner_id: str, consistent: bool = True) -> PartnerRecord:
    partner = db.partners.partner(partner_id, consistent)
    if partner is None:
        raise NotFound(NO_SUCH_PARTNER, field="partnerId")
    return partner


def require_project(db: Db, project_id: str, consistent: bool = True) -> ProjectRecord:
    project = db.partners.project(project_id, consistent)
    if project is None:
        raise NotFound(NO_SUCH_PROJECT, field="projectId")
    return project
