"""The message catalogue (api/domain/messages.py) is complete and is the only source of messages,
and a request's language follows Accept-Language (api/language.py)."""

from __future__ import annotations

import ast
import string
from pathlib import Path

import pytest

from api.domain.errors import DomainError, InvalidInput
from api.domain.messages import (
    CATALOGUE,
    STORED_PREFIX,
    Language,
    Message,
    decode,
    encode,
    joined,
    msg,
    stored_text,
)
from api.language import current_language, language_of_scope, parse_accept_language, speaking

ROOT = Path(__file__).resolve().parents[2]
SOURCES = [p for d in ("api", "schema", "functions") for p in sorted((ROOT / d).rglob("*.py"))]


def fields(template: str) -> set[str]:
    return {name for _, name, _, _ in string.Formatter().parse(template) if name}


def trees() -> list[tuple[Path, ast.Module]]:
    return [(path, ast.parse(path.read_text(encoding="utf-8"))) for path in SOURCES]


def called_name(call: ast.Call) -> str | None:
    if isinstance(call.func, ast.Name):
        return call.func.id
    if isinstance(call.func, ast.Attribute):
        return call.func.attr
    return None


# --- the catalogue ----------------------------------------------------------------------------


@pytest.mark.parametrize("message_id", sorted(CATALOGUE))
def test_every_message_has_both_languages_with_the_same_parameters(message_id: str) -> None:
    chinese, english = CATALOGUE[message_id]
    assert chinese.strip() and english.strip()
    assert fields(chinese) == fields(english), message_id
    values = {name: "x" for name in fields(chinese)}
    assert chinese.format(**values) and english.format(**values)  # both are valid templates


def test_chinese_templates_are_chinese_and_english_ones_are_not() -> None:
    def has_han(text: str) -> bool:
        return any("\u4e00" <= ch <= "\u9fff" for ch in text)

    # Level names and a few names of things (包案, 联办) may be quoted in English too.
    quoted = {"case.supporting_only_joint", "case.leader_ticks_off", "case.name_leader"}
    for message_id, (chinese, english) in CATALOGUE.items():
        literal = "".join(text for text, *_ in string.Formatter().parse(chinese))
        if not any(ch.isalpha() for ch in literal):
            continue  # only punctuation around parameters (text.joined, transition.detail)
        assert has_han(chinese), message_id
        if message_id not in quoted:
            assert not has_han(english), message_id


def msg_calls() -> list[tuple[str, ast.Call]]:
    return [
        (f"{path.relative_to(ROOT)}:{node.lineno}", node)
        for path, tree in trees()
        for node in ast.walk(tree)
        if isinstance(node, ast.Call) and called_name(node) == "msg"
    ]


def test_every_message_the_code_names_is_in_the_catalogue_with_its_parameters() -> None:
    problems = []
    used = set()
    for where, call in msg_calls():
        if (
            call.args
            and isinstance(call.args[0], ast.Constant)
            and isinstance(call.args[0].value, str)
        ):
            message_id = call.args[0].value
        else:
            problems.append(f"{where}: msg() takes the id as a string literal")
            continue
        used.add(message_id)
        if message_id not in CATALOGUE:
            problems.append(f"{where}: {message_id} is not in the catalogue")
            continue
        given = {k.arg for k in call.keywords}
        if None in given:
            continue  # **params: checked when rendered
        if given != fields(CATALOGUE[message_id][0]):
            problems.append(
                f"{where}: {message_id} takes {sorted(fields(CATALOGUE[message_id][0]))}"
            )
    assert problems == []
    assert sorted(set(CATALOGUE) - used) == []  # no message left behind unused


def domain_error_names() -> set[str]:
    """DomainError and every class deriving from it, in the source (by name)."""
    names = {"DomainError"}
    classes = [
        node for _, tree in trees() for node in ast.walk(tree) if isinstance(node, ast.ClassDef)
    ]
    grew = True
    while grew:
        grew = False
        for node in classes:
            bases = {
                b.id if isinstance(b, ast.Name) else getattr(b, "attr", "") for b in node.bases
            }
            if node.name not in names and bases & names:
                names.add(node.name)
                grew = True
    return names


def is_raw_text(node: ast.expr) -> bool:
    if isinstance(node, ast.Constant) and isinstance(node.value, str):
        return True
    if isinstance(node, ast.JoinedStr):
        return True
    if isinstance(node, ast.BinOp):
        return is_raw_text(node.left) or is_raw_text(node.right)
    if isinstance(node, ast.IfExp):
        return is_raw_text(node.body) or is_raw_text(node.orelse)
    return False


def test_no_domain_error_is_raised_with_a_raw_string() -> None:
    names = domain_error_names()
    assert {"InvalidInput", "NotFound", "Conflict", "InvalidTransition"} <= names
    raw = [
        f"{path.relative_to(ROOT)}:{node.lineno}"
        for path, tree in trees()
        for node in ast.walk(tree)
        if isinstance(node, ast.Call)
        and called_name(node) in names
        and any(is_raw_text(arg) for arg in node.args)
    ]
    assert raw == []


def test_a_domain_error_keeps_its_code_and_field_and_renders_in_either_language() -> None:
    error = InvalidInput(msg("text.too_long", max_length=20), field="title")
    assert isinstance(error, DomainError)
    assert (error.code.value, error.field) == ("INVALID_INPUT", "title")
    assert error.message.render(Language.ZH) == "最多 20 个字符"
    assert error.message.render(Language.EN) == "At most 20 characters"
    assert str(error) == "最多 20 个字符"  # logs read Chinese


def test_a_parameter_that_is_a_message_is_rendered_in_the_same_language() -> None:
    message = msg("actor.forbidden_here", what=msg("action.grant_roles"))
    assert message.render(Language.ZH) == "您无权在此授予角色"
    assert message.render(Language.EN) == "You may not grant roles here"
    both = joined([msg("topic.reason_infeasible"), msg("topic.reason_no_investigation")])
    assert both.render(Language.ZH) == "入户调研认为不可行；尚无入户调研结论"
    assert both.render(Language.EN).startswith("The door-to-door investigation found it not")
    assert "; No door-to-door" in both.render(Language.EN)


# --- stored texts -----------------------------------------------------------------------------


def test_a_stored_message_is_neutral_and_rendered_in_the_readers_language() -> None:
    reason = msg("topic.reason_adopted", for_=4, against=0, abstain=1)
    stored = encode(msg("topic.notice_adopted", reason=reason))
    assert stored.startswith(STORED_PREFIX)
    assert decode(stored) == Message("topic.notice_adopted", {"reason": reason})
    assert stored_text(stored) == "议题通过，立项办理：通过：赞成 4 票，反对 0 票，弃权 1 票"
    assert stored_text(stored, Language.EN) == (
        "The topic was adopted and becomes a case: Adopted: for 4, against 0, abstain 1"
    )


@pytest.mark.parametrize(
    "text",
    [
        "通过: for 4, against 0",  # an old row
        'msg:{"id": "topic.why_hidden", "p": {}}',  # typed by someone: no control prefix
        STORED_PREFIX + "not json",
        STORED_PREFIX + '{"id": "no.such.id", "p": {}}',
        STORED_PREFIX + '{"id": "text.too_long", "p": {}}',  # parameters missing
    ],
)
def test_plain_or_damaged_stored_text_is_shown_as_it_is(text: str) -> None:
    assert stored_text(text) == text
    assert stored_text(text, Language.EN) == text


# --- the request's language -------------------------------------------------------------------


@pytest.mark.parametrize(
    ("header", "language"),
    [
        (None, Language.ZH),
        ("", Language.ZH),
        ("en", Language.EN),
        ("en-US,en;q=0.9", Language.EN),
        ("EN-gb", Language.EN),
        ("zh-CN,zh;q=0.9,en;q=0.8", Language.ZH),
        ("en-US,en;q=0.9,zh-CN;q=0.8", Language.EN),
        ("zh;q=0.5, en;q=0.8", Language.EN),
        ("en;q=0.5, zh;q=0.8", Language.ZH),
        ("en, zh", Language.EN),  # equal weight: the first listed
        ("zh, en", Language.ZH),
        ("fr-FR, en;q=0.5", Language.EN),
        ("fr-FR, de", Language.ZH),  # neither: the default
        ("en;q=0", Language.ZH),  # refused
        ("en;q=abc", Language.ZH),  # malformed weight: ignored
        ("*", Language.ZH),
        ("english", Language.ZH),
    ],
)
def test_accept_language_prefers_english_only_when_asked(
    header: str | None, language: Language
) -> None:
    assert parse_accept_language(header) is language


def test_the_language_is_read_from_the_asgi_scope_and_reset_after_the_request() -> None:
    scope = {"type": "http", "headers": [(b"accept-language", b"en-US,en;q=0.9")]}
    assert language_of_scope(scope) is Language.EN
    assert language_of_scope({"type": "http", "headers": []}) is Language.ZH
    assert current_language() is Language.ZH
    with speaking(Language.EN):
        assert current_language() is Language.EN
    assert current_language() is Language.ZH
    with pytest.raises(RuntimeError), speaking(Language.EN):
        raise RuntimeError
    assert current_language() is Language.ZH
