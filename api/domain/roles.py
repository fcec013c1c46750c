"""Roles people hold on org units, and what each role may do within that unit's subtree."""

from __future__ import annotations

from enum import StrEnum


class Role(StrEnum):
    ADMIN = "ADMIN"
    SECRETARY = "SECRETARY"
    INSTRUCTOR = "INSTRUCTOR"
    GRID_WORKER = "GRID_WORKER"
    STAFF = "STAFF"
    DEPARTMENT_STAFF = "DEPARTMENT_STAFF"
    LEADER = "LEADER"


class Permission(StrEnum):
    READ_ORG = "READ_ORG"  # protected org data: staff assignments, archived units
    MANAGE_ORG = "MANAGE_ORG"  # create, rename, move, archive units; edit grid details
    READ_PEOPLE = "READ_PEOPLE"  # names, phones and roles of people in scope
    MANAGE_PEOPLE = "MANAGE_PEOPLE"  # register people, grant and revoke roles
    READ_CASES = "READ_CASES"  # cases located or handled in scope, with reporters' data
    HANDLE_CASES = "HANDLE_CASES"  # sign for, work on, resolve, escalate (吹哨) cases assigned here
    DISPATCH_CASES = "DISPATCH_CASES"  # accept, reject, assign, decide extensions, close, archive
    READ_PARTNERS = "READ_PARTNERS"  # partners' contacts, claims and points statements in scope
    # register and approve partners, publish needs and projects, confirm delivery, post points
    MANAGE_PARTNERS = "MANAGE_PARTNERS"
    # 党群议事: open votes, record investigations, enter offline ballots, moderate, merge
    GUIDE_TOPICS = "GUIDE_TOPICS"


_READ = frozenset(
    {
        Permission.READ_ORG,
        Permission.READ_PEOPLE,
        Permission.READ_CASES,
        Permission.READ_PARTNERS,
    }
)
_HANDLER = _READ | {Permission.HANDLE_CASES, Permission.GUIDE_TOPICS}

ROLE_PERMISSIONS: dict[Role, frozenset[Permission]] = {
    Role.ADMIN: frozenset(Permission),
    Role.SECRETARY: _HANDLER | {Permission.MANAGE_PARTNERS},
    Role.INSTRUCTOR: _HANDLER,
    Role.GRID_WORKER: _HANDLER,
    # Command-centre staff of a community, street or the district: they also dispatch.
    Role.STAFF: _HANDLER | {Permission.DISPATCH_CASES, Permission.MANAGE_PARTNERS},
    Role.DEPARTMENT_STAFF: _HANDLER,
    Role.LEADER: _READ | {Permission.DISPATCH_CASES},
}


def permits(role: Role, permission: Permission) -> bool:
    return permission in ROLE_PERMISSIONS[role]
