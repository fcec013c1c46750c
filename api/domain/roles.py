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


_STAFF = frozenset({Permission.READ_ORG, Permission.READ_PEOPLE})

ROLE_PERMISSIONS: dict[Role, frozenset[Permission]] = {
    Role.ADMIN: frozenset(Permission),
    Role.SECRETARY: _STAFF,
    Role.INSTRUCTOR: _STAFF,
    Role.GRID_WORKER: _STAFF,
    Role.STAFF: _STAFF,
    Role.DEPARTMENT_STAFF: _STAFF,
    Role.LEADER: _STAFF,
}


def permits(role: Role, permission: Permission) -> bool:
    return permission in ROLE_PERMISSIONS[role]
