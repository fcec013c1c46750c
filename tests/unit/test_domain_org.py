"""The grid hierarchy's pure rules: kinds and their nesting, names, paths, cycles, rebasing."""

from __future__ import annotations

import pytest

from api.domain.errors import Cycle, ErrorCode, InvalidHierarchy, InvalidInput
from api.domain.messages import Language
from api.domain.org import (
    NAME_MAX_LENGTH,
    OrgKind,
    check_move,
    check_parent,
    child_path,
    is_within,
    path_ids,
    rebase_path,
    validate_name,
)

ORDER = [
    OrgKind.DISTRICT,
    OrgKind.STREET,
    OrgKind.COMMUNITY,
    OrgKind.GRID,
    OrgKind.BUILDING,
    OrgKind.PARTY_HOUSEHOLD,
    OrgKind.UNIT_HOUSEHOLD,
]


# --- kinds ---------------------------------------------------------------------------------


def test_the_hierarchy_has_seven_levels_in_order() -> None:
    assert [kind for kind in OrgKind if kind in ORDER] == ORDER
    assert [kind.depth for kind in ORDER] == list(range(7))


def test_kinds_beside_the_hierarchy_hang_off_the_district_without_children() -> None:
    for kind in OrgKind:
        if kind not in ORDER:  # e.g. district departments
            assert kind.parent_kind is OrgKind.DISTRICT
            assert kind.child_kind is None
            check_parent(kind, OrgKind.DISTRICT)
            with pytest.raises(InvalidHierarchy):
                check_parent(kind, OrgKind.STREET)


@pytest.mark.parametrize("index", range(len(ORDER)))
def test_parent_and_child_kinds_are_the_neighbouring_levels(index: int) -> None:
    kind = ORDER[index]
    assert kind.parent_kind == (ORDER[index - 1] if index > 0 else None)
    assert kind.child_kind == (ORDER[index + 1] if index + 1 < len(ORDER) else None)
    if kind.child_kind is not None:
        assert kind.child_kind.parent_kind is kind


def test_district_is_the_root_and_unit_household_the_leaf() -> None:
    assert OrgKind.DISTRICT.parent_kind is None
    assert OrgKind.UNIT_HOUSEHOLD.child_kind is None


def test_kind_values_are_their_names() -> None:
    for kind in OrgKind:
        assert kind.value == kind.name
        assert OrgKind(kind.value) is kind


@pytest.mark.parametrize("kind", ORDER)
def test_check_parent_accepts_exactly_the_parent_kind(kind: OrgKind) -> None:
    check_parent(kind, kind.parent_kind)
    others: list[OrgKind | None] = [other for other in OrgKind if other is not kind.parent_kind]
    if kind.parent_kind is not None:
        others.append(None)
    for wrong in others:
        with pytest.raises(InvalidHierarchy) as caught:
            check_parent(kind, wrong)
        assert caught.value.code is ErrorCode.INVALID_HIERARCHY
        assert caught.value.field == "parentId"
        assert kind.value in caught.value.message.render(Language.EN)


def test_check_parent_messages_name_both_sides() -> None:
    with pytest.raises(InvalidHierarchy) as caught:
        check_parent(OrgKind.GRID, OrgKind.STREET)
    assert "COMMUNITY" in caught.value.message.render(
        Language.EN
    ) and "STREET" in caught.value.message.render(Language.EN)
    with pytest.raises(InvalidHierarchy) as caught:
        check_parent(OrgKind.DISTRICT, OrgKind.DISTRICT)
    assert "no parent" in caught.value.message.render(Language.EN)
    with pytest.raises(InvalidHierarchy) as caught:
        check_parent(OrgKind.STREET, None)
    assert "no parent" in caught.value.message.render(Language.EN)


# --- names ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("辽宁路街道", "辽宁路街道"),
        ("  第一网格  ", "第一网格"),
        ("\u3000第一网格\u3000", "第一网格"),  # ideographic spaces are whitespace too
        ("12号楼院 1单元", "12号楼院 1单元"),  # inner spaces are kept
        ("e\u0301", "\u00e9"),  # NFC: a decomposed é becomes one character
        ("x" * NAME_MAX_LENGTH, "x" * NAME_MAX_LENGTH),
        ("  " + "网" * NAME_MAX_LENGTH + "  ", "网" * NAME_MAX_LENGTH),  # trimmed before counting
        ("O'Brien & Sons (北)", "O'Brien & Sons (北)"),
        ("a/b", "a/b"),
    ],
)
def test_valid_names_are_normalised(raw: str, expected: str) -> None:
    assert validate_name(raw) == expected


def test_name_length_is_counted_after_nfc() -> None:
    decomposed = "e\u0301" * NAME_MAX_LENGTH  # 120 code points, 60 characters after NFC
    assert validate_name(decomposed) == "\u00e9" * NAME_MAX_LENGTH


@pytest.mark.parametrize(
    ("raw", "fragment"),
    [
        ("", "不能为空"),
        (" ", "不能为空"),
        ("   \t\n ", "不能为空"),
        ("\u3000\u3000", "不能为空"),
        ("x" * (NAME_MAX_LENGTH + 1), "最多"),
        ("网" * (NAME_MAX_LENGTH + 1), "最多"),
        ("e\u0301" * (NAME_MAX_LENGTH + 1), "最多"),
        ("a\x00b", "控制字符"),
        ("a\nb", "控制字符"),
        ("a\tb", "控制字符"),
        ("a\rb", "控制字符"),
        ("a\x7fb", "控制字符"),
        ("a\u200bb", "控制字符"),  # zero-width space (format character)
        ("a\u202eb", "控制字符"),  # right-to-left override
        ("a\ufeffb", "控制字符"),  # byte order mark
        ("a\ue000b", "控制字符"),  # private use
        ("a\U000e0001b", "控制字符"),  # language tag
        ("#", "'#'"),
        ("第#一网格", "'#'"),
        ("网格#", "'#'"),
    ],
)
def test_invalid_names_are_refused_with_the_field(raw: str, fragment: str) -> None:
    with pytest.raises(InvalidInput) as caught:
        validate_name(raw)
    assert caught.value.code is ErrorCode.INVALID_INPUT
    assert caught.value.field == "name"
    assert fragment in str(caught.value.message)


def test_validate_name_reports_the_given_field() -> None:
    with pytest.raises(InvalidInput) as caught:
        validate_name("", field="serviceStation.name")
    assert caught.value.field == "serviceStation.name"


def test_name_max_length_is_sixty() -> None:
    assert NAME_MAX_LENGTH == 60


# --- paths ---------------------------------------------------------------------------------


def test_child_path_of_a_root_and_of_a_child() -> None:
    assert child_path(None, "SB") == "/SB"
    assert child_path("", "SB") == "/SB"
    assert child_path("/SB", "S1") == "/SB/S1"
    assert child_path("/SB/S1/C1", "G1") == "/SB/S1/C1/G1"


def test_path_ids_lists_ids_root_first() -> None:
    assert path_ids("/SB/S1/C1") == ["SB", "S1", "C1"]
    assert path_ids("/SB") == ["SB"]
    assert path_ids("") == []
    assert path_ids("/") == []


@pytest.mark.parametrize(
    ("path", "scope", "inside"),
    [
        ("/a", "/a", True),
        ("/a/b", "/a", True),
        ("/a/b/c/d", "/a/b", True),
        ("/a", "/a/b", False),
        ("/a/bc", "/a/b", False),  # a sibling whose id extends the scope's id is not inside
        ("/a/b", "/a/bc", False),
        ("/ab", "/a", False),
        ("/x/a/b", "/a/b", False),
        ("/a/b", "/x", False),
    ],
)
def test_is_within_is_a_path_prefix_on_whole_ids(path: str, scope: str, inside: bool) -> None:
    assert is_within(path, scope) is inside


# --- moves ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("unit_path", "new_parent_path"),
    [
        ("/a/b", "/a/b"),  # under itself
        ("/a/b", "/a/b/c"),  # under a child
        ("/a/b", "/a/b/c/d/e"),  # under a deep descendant
        ("/a", "/a/b"),  # a root under its child
    ],
)
def test_moving_under_itself_or_a_descendant_is_a_cycle(
    unit_path: str, new_parent_path: str
) -> None:
    with pytest.raises(Cycle) as caught:
        check_move(unit_path, new_parent_path)
    assert caught.value.code is ErrorCode.CYCLE
    assert caught.value.field == "newParentId"


@pytest.mark.parametrize(
    ("unit_path", "new_parent_path"),
    [
        ("/a/b", "/a/bc"),  # a sibling whose id starts with the unit's id
        ("/a/bc", "/a/b"),
        ("/a/b", "/a/bc/d"),  # under a child of that sibling
        ("/a/b/c", "/a/b"),  # to its current parent (the service refuses that separately)
        ("/a/b/c", "/a"),  # up to its grandparent
        ("/a/b", "/x/y"),  # across the tree
        ("/a/b", "/"),
    ],
)
def test_other_moves_are_not_cycles(unit_path: str, new_parent_path: str) -> None:
    check_move(unit_path, new_parent_path)


@pytest.mark.parametrize(
    ("path", "old", "new", "expected"),
    [
        ("/a/b", "/a/b", "/x/b", "/x/b"),  # the moved unit itself
        ("/a/b/c", "/a/b", "/x/b", "/x/b/c"),
        ("/a/b/c/d/e", "/a/b", "/x/y/b", "/x/y/b/c/d/e"),  # deeper new parent
        ("/d/s/c/g/bd", "/d/s/c/g", "/d/g", "/d/g/bd"),  # shallower new parent
        ("/a/b/c", "/a", "/z", "/z/b/c"),
    ],
)
def test_rebase_path_swaps_the_prefix(path: str, old: str, new: str, expected: str) -> None:
    assert rebase_path(path, old, new) == expected


@pytest.mark.parametrize(
    ("path", "old"),
    [
        ("/a/bc/d", "/a/b"),  # sibling-prefix id: not under /a/b
        ("/a/bc", "/a/b"),
        ("/a", "/a/b"),
        ("/x/b/c", "/a/b"),
    ],
)
def test_rebase_path_refuses_paths_outside_the_old_prefix(path: str, old: str) -> None:
    with pytest.raises(ValueError):
        rebase_path(path, old, "/x")
