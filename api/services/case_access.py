"""Who may see and do what on a case, and what personal data they see.

- The reporter sees their own case, full.
- The handling chain — staff whose scope covers the case's grid, the departments with a task,
  the owning leader — sees it, with the reporter's data; except that an anonymous reporter is
  shown only to staff whose scope is the whole district.
- Everyone else sees nothing but the public tracking view (status and timeline, no people).
"""

from __future__ import annotations

from api.domain.cases import Action, Level
from api.domain.errors import Forbidden, NotFound
from api.domain.messages import msg
from api.domain.roles import Permission
from api.records.case import CaseRecord
from api.services.actor import Actor
from api.services.case_verification import require_verifier

DISPATCH_ACTIONS = frozenset(
    {
        Action.ACCEPT,
        Action.REJECT,
        Action.ASSIGN,
        Action.GRANT_EXTENSION,
        Action.DENY_EXTENSION,
        Action.APPROVE_PARK,
        Action.REJECT_PARK,
        Action.REOPEN,
        Action.CLOSE,
        Action.ARCHIVE,
    }
)
DEPARTMENT_ACTIONS = frozenset({Action.CLAIM, Action.RESOLVE_TASK})
REPORTER_ACTIONS = frozenset({Action.EVALUATE})
LEADER_ACTIONS = frozenset({Action.TICK_OFF})


def district_path(case: CaseRecord) -> str:
    return case.district_path


def is_reporter(actor: Actor, case: CaseRecord) -> bool:
    return actor.person_id is not None and actor.person_id == case.reporter_id


def handles(actor: Actor, case: CaseRecord, department_paths: dict[str, str]) -> bool:
    """Staff of a department with a task on the case, or the owning leader."""
    if case.level is Level.TOP and actor.person_id == case.assignee_id:
        return True
    return any(
        actor.can(Permission.HANDLE_CASES, path) or actor.can(Permission.READ_CASES, path)
        for path in department_paths.values()
    )


def can_read(actor: Actor, case: CaseRecord, department_paths: dict[str, str]) -> bool:
    return (
        is_reporter(actor, case)
        or actor.can(Permission.READ_CASES, case.grid_path)
        or handles(actor, case, department_paths)
    )


NO_SUCH_CASE = msg("case.not_found")


def require_read(actor: Actor, case: CaseRecord, department_paths: dict[str, str]) -> None:
    actor.require_login()
    if not can_read(actor, case, department_paths):
        # Not "forbidden": whether a case exists is itself not for outsiders to learn, so this
        # is word for word the answer for a missing case (field caseId, as the inputs name it).
        raise NotFound(NO_SUCH_CASE, field="caseId")


def sees_reporter(actor: Actor, case: CaseRecord, department_paths: dict[str, str]) -> bool:
    if is_reporter(actor, case):
        return True
    if case.anonymous:
        return actor.can(Permission.READ_CASES, district_path(case)) and _district_scoped(
            actor, case
        )
    return can_read(actor, case, department_paths)


def _district_scoped(actor: Actor, case: CaseRecord) -> bool:
    root = district_path(case)
    return any(grant.org_path == root for grant in actor.grants)


def require_action(
    actor: Actor,
    case: CaseRecord,
    action: Action,
    handling_path: str | None,
    department_paths: dict[str, str],
    department_id: str | None = None,
) -> None:
    """Raise ``Forbidden`` unless the actor may apply ``action`` to the case now.

    ``handling_path`` is the path of the unit currently handling the case (grid, community,
    street; the district at DISTRICT/TOP); ``department_paths`` maps task departments to paths.
    """
    actor.require_login()
    if action is Action.VERIFY:  # 核查: api/services/case_verification.py says who
        require_verifier(actor, case)
        return
    if action in REPORTER_ACTIONS:
        if not is_reporter(actor, case):
            raise Forbidden(msg("case.reporter_evaluates"))
        return
    if action in LEADER_ACTIONS:
        if actor.person_id != case.assignee_id:
            raise Forbidden(msg("case.leader_ticks_off"))
        return
    if action in DEPARTMENT_ACTIONS:
        path = department_paths.get(department_id or "")
        if path is None or not actor.can(Permission.HANDLE_CASES, path):
            raise Forbidden(msg("case.department_staff_only"))
        return
    if action in DISPATCH_ACTIONS:
        # Above street level only the district's dispatchers (the governance centre) decide.
        scope = district_path(case) if case.level in (Level.DISTRICT, Level.TOP) else case.grid_path
        if not actor.can(Permission.DISPATCH_CASES, scope):
            raise Forbidden(msg("case.no_dispatch"))
        return
    # Handling actions: the current handling unit, its lead department, or the owning leader.
    if case.level is Level.TOP:
        if actor.person_id == case.assignee_id or actor.can(
            Permission.DISPATCH_CASES, district_path(case)
        ):
            return
        raise Forbidden(msg("case.leader_or_dispatchers"))
    if case.level is Level.DISTRICT and department_paths:
        lead = next(iter(department_paths.values()))
        if actor.can(Permission.HANDLE_CASES, lead) or actor.can(
            Permission.DISPATCH_CASES, district_path(case)
        ):
            return
        raise Forbidden(msg("case.lead_or_dispatchers"))
    if handling_path is None or not actor.can(Permission.HANDLE_CASES, handling_path):
        raise Forbidden(msg("case.handling_unit_only"))
