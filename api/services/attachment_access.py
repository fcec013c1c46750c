"""Who may attach files to a target, see them, and moderate them (make public, remove).

Nothing new is decided here: each target's existing rules (case_access, topic_access,
partner_access) answer, read through the existing services.

- Case (吹哨报到): whoever may read the case (reporter, handling chain, scoped staff) sees its
  files and may add a report photo; before/after (处置前后) and 核查 photos are for the handling
  chain only; staff who handle or dispatch in the case's grid make files public or remove them.
- Topic (党群议事): investigation records (入户调研) are added by the topic's guides; residents
  and staff taking part in the unit see them; the guides moderate.
- Partner project (红色合伙人): delivery photos are added by representatives of a partner with a
  claim on the project, or by staff managing the project; those, and staff reading partners
  there, see them; the managing staff moderate.
A file marked public is shown to everyone who can see the target (and in public tracking).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from api.domain.errors import Forbidden, NotFound
from api.domain.messages import msg
from api.domain.partners import ClaimStatus
from api.domain.roles import Permission
from api.domain.uploads import Purpose, TargetKind
from api.services import case_access, case_queries, partner_access, topic_access
from api.services.actor import Actor
from api.services.cases import department_paths
from api.store.db import Db

NO_SUCH_TARGET = msg("attachment.target_not_found")


@dataclass(frozen=True)
class TargetAccess:
    """What the caller may do with the files of one target they can see."""

    kind: TargetKind
    target_id: str
    sees_private: bool  # sees every file, not only the public ones
    attaches: frozenset[Purpose]
    moderates: bool

    def require_attach(self, purpose: Purpose) -> None:
        if purpose not in self.attaches:
            raise Forbidden(msg("attachment.kind_forbidden"), field="purpose")

    def require_moderate(self) -> None:
        if not self.moderates:
            raise Forbidden(msg("attachment.staff_only"), field="attachmentId")


STAFF_CASE_PURPOSES = frozenset(
    {Purpose.CASE_REPORT, Purpose.RESOLUTION_BEFORE, Purpose.RESOLUTION_AFTER, Purpose.VERIFICATION}
)


def _case(db: Db, actor: Actor, case_id: str) -> TargetAccess | None:
    case = case_queries.case_with_timeline(db, actor, case_id)  # None unless readable
    if case is None:
        return None
    paths = department_paths(case)
    staff = actor.can(Permission.READ_CASES, case.grid_path) or case_access.handles(
        actor, case, paths
    )
    moderates = actor.can(Permission.HANDLE_CASES, case.grid_path) or actor.can(
        Permission.DISPATCH_CASES, case.grid_path
    )
    return TargetAccess(
        TargetKind.CASE,
        case_id,
        sees_private=True,
        attaches=STAFF_CASE_PURPOSES if staff else frozenset({Purpose.CASE_REPORT}),
        moderates=moderates,
    )


def _topic(db: Db, actor: Actor, topic_id: str) -> TargetAccess | None:
    topic = db.topics.get(topic_id, consistent=False)
    if topic is None or not topic_access.can_see(actor, topic):
        return None
    guides = topic_access.guides(actor, topic)
    return TargetAccess(
        TargetKind.TOPIC,
        topic_id,
        sees_private=topic_access.takes_part(actor, topic.unit_path),
        attaches=frozenset({Purpose.TOPIC_INVESTIGATION}) if guides else frozenset(),
        moderates=guides,
    )


def _project(db: Db, actor: Actor, project_id: str) -> TargetAccess | None:
    project = db.partners.project(project_id, consistent=False)
    if project is None:
        return None
    manages = actor.can(Permission.MANAGE_PARTNERS, project.unit_path)
    claimants = [
        claim.partner_id
        for claim in db.partners.claims(project_id)
        if claim.status != ClaimStatus.WITHDRAWN
    ]
    delivers = actor.is_authenticated and any(
        partner_access.represents(actor, partner)
        for partner in db.partners.partners(claimants).values()
    )
    return TargetAccess(
        TargetKind.PROJECT,
        project_id,
        sees_private=manages or delivers or actor.can(Permission.READ_PARTNERS, project.unit_path),
        attaches=frozenset({Purpose.PARTNER_DELIVERY}) if manages or delivers else frozenset(),
        moderates=manages,
    )


_READERS: dict[TargetKind, Callable[[Db, Actor, str], TargetAccess | None]] = {
    TargetKind.CASE: _case,
    TargetKind.TOPIC: _topic,
    TargetKind.PROJECT: _project,
}


def access_to(db: Db, actor: Actor, kind: TargetKind, target_id: str) -> TargetAccess | None:
    """The caller's access to a target, or None if it is missing or hidden from them."""
    return _READERS[kind](db, actor, target_id)


def require_access(db: Db, actor: Actor, kind: TargetKind, target_id: str) -> TargetAccess:
    access = access_to(db, actor, kind, target_id)
    if access is None:
        # One answer for "missing" and "not yours" (as case_access.require_read).
        raise NotFound(NO_SUCH_TARGET, field="targetId")
    return access
