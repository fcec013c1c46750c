"""The seeds' story of 党群议事, through GraphQL (ASGI and Lambda events) on both backends.

A resident of 河西街道小水清沟社区第一网格 raises a topic: rubbish is blown into the underground
car park. The grid's party branch secretary is notified; neighbours discuss it (a party member
shows her badge), the branch investigates door to door and finds it feasible, the grid votes
(online and on doorsteps) and the window closes by timer: adopted, a case opens with channel
TOPIC, linked both ways, and is resolved inside the grid while voters watch it on the topic. A
second topic — paid parking spaces — most residents oppose: declined, with the tally and why.
"""

from __future__ import annotations

from datetime import timedelta

import pytest

from api.domain.clock import FixedClock
from api.services.deadlines.sweep import sweep
from api.store.db import Db
from tests.conftest import Tokens
from tests.graphql_client import GraphQLClient
from tests.topic_world import TopicApi, TopicWorld, build_topic_world, gid

NOTICES = "query($unit: ID) { topicNotices(unitId: $unit) { nodes { topicId kind message } } }"
STATS = """query($unit: ID!) { topicStats(unitId: $unit, start: "2026-11-01", end: "2026-12-31")
  { raised adopted declined casesResolved casesResolvedInGrid adoptionRate solvedInGridShare } }"""
LIST = """query($unit: ID!, $state: TopicState!, $order: TopicOrder! = NEWEST) {
  topics(unitId: $unit, state: $state, order: $order) { nodes { title likes } } }"""


@pytest.fixture
def tw(db: Db, clock: FixedClock) -> TopicWorld:
    return build_topic_world(db, clock)


@pytest.fixture
def api(client: GraphQLClient, token: Tokens, tw: TopicWorld) -> TopicApi:
    return TopicApi(client, token, tw)


def case_step(api: TopicApi, name: str, input_type: str, data: dict[str, object], as_: str) -> None:
    api.ok(name, input_type, data, as_, "case { state }")


def test_rubbish_in_the_car_park_is_adopted_and_solved_in_the_grid(
    api: TopicApi, tw: TopicWorld, db: Db, clock: FixedClock
) -> None:
    author, party_member, r3, r4, r5, r6 = tw.residents
    topic = api.propose(
        author,
        "地下车库入口垃圾被风吹进车库",
        "小区地下车库入口处没有挡板，大风天垃圾被吹进车库，希望加装挡风板并定时清扫。",
        category="ENVIRONMENT",
    )
    # The grid's party branch secretary and the grid itself are notified.
    mine = api.query(NOTICES, {}, tw.secretary_id).data["topicNotices"]["nodes"]
    assert [(n["topicId"], n["kind"]) for n in mine] == [(topic, "PROPOSED")]
    grid_notices = api.query(NOTICES, {"unit": gid("OrgUnit", tw.grid.id)}, tw.worker_id)
    assert [n["kind"] for n in grid_notices.data["topicNotices"]["nodes"]] == ["PROPOSED"]

    # Discussion: a party member shows her badge; a neighbour replies; likes, once each.
    api.ok("setPartyBadge", "SetPartyBadgeInput", {"show": True}, party_member, "person { id }")
    first = api.ok(
        "commentOnTopic", "TopicCommentInput",
        {"topicId": topic, "body": "我是党员，愿意带头组织楼院清扫。"}, party_member,
        "comment { id partyBadge }",
    )["comment"]  # fmt: skip
    assert first["partyBadge"] is True
    reply = api.ok(
        "commentOnTopic", "TopicCommentInput",
        {"topicId": topic, "body": "支持，挡风板最好是透明的。", "replyToId": first["id"]}, r3,
        "comment { id replyToId partyBadge }",
    )["comment"]  # fmt: skip
    assert (reply["replyToId"], reply["partyBadge"]) == (first["id"], False)
    # No reply to a reply: threads are one level deep.
    assert api.refused(
        "commentOnTopic", "TopicCommentInput",
        {"topicId": topic, "body": "再回复", "replyToId": reply["id"]}, r4,
    ) == ["INVALID_INPUT"]  # fmt: skip
    for person in (r3, r4, party_member):
        api.ok("likeTopic", "LikeTopicInput", {"topicId": topic}, person, "topic { likes }")
    assert api.refused("likeTopic", "LikeTopicInput", {"topicId": topic}, r4) == ["ALREADY_EXISTS"]
    api.ok("likeTopic", "LikeTopicInput", {"topicId": topic, "commentId": first["id"]}, r4,
           "topic { id }")  # fmt: skip
    # A neighbour from the next grid reads but does not take part.
    assert api.refused(
        "commentOnTopic", "TopicCommentInput", {"topicId": topic, "body": "路过"}, tw.neighbour_id
    ) == ["FORBIDDEN"]

    # The withdrawal of a topic under discussion is the author's alone.
    assert api.refused(
        "actOnTopic", "TopicActionInput", {"topicId": topic, "action": "WITHDRAW"}, r3
    ) == ["FORBIDDEN"]

    # Investigation by the grid party branch (入户调研), then the vote opens.
    api.ok(
        "recordTopicInvestigation", "TopicInvestigationInput",
        {"topicId": topic, "findings": "入户走访32户，物业同意加装挡风板，费用由公共收益列支。",
         "feasible": True, "date": "2026-11-23"}, tw.secretary_id, "topic { id }",
    )  # fmt: skip
    assert api.refused("openTopicVoting", "TopicInput", {"topicId": topic}, author) == ["FORBIDDEN"]
    opened = api.ok(
        "openTopicVoting", "TopicInput", {"topicId": topic}, tw.secretary_id,
        "topic { state tally { electorate quorum } votingClosesAt }",
    )["topic"]  # fmt: skip
    # Residents registered in the grid: the six, the secretary and the grid worker.
    assert opened["state"] == "VOTING"
    assert opened["tally"] == {"electorate": 8, "quorum": 4}
    assert opened["votingClosesAt"] == "2026-11-26T09:30:00.000+08:00"

    # Votes: online, a change of mind, a door-to-door ballot; outsiders and doubles refused.
    for person in (author, party_member, r3):
        assert api.vote(person, topic, "FOR")["errors"] == []
    assert api.vote(r4, topic, "AGAINST")["vote"] == {"choice": "AGAINST", "origin": "ONLINE"}
    assert api.vote(r4, topic, "FOR")["vote"] == {"choice": "FOR", "origin": "ONLINE"}
    ballot = {"topicId": topic, "personId": gid("Person", r5), "choice": "FOR"}
    assert api.ok(
        "enterOfflineBallot", "OfflineBallotInput", ballot, tw.worker_id, "vote { origin }"
    )["vote"] == {"origin": "OFFLINE"}
    ballot_author = {**ballot, "personId": gid("Person", author)}
    assert api.refused("enterOfflineBallot", "OfflineBallotInput", ballot_author, tw.worker_id) == [
        "ALREADY_EXISTS"
    ]
    assert [e["code"] for e in api.vote(tw.neighbour_id, topic, "AGAINST")["errors"]] == [
        "NOT_ELIGIBLE"
    ]
    assert api.refused(
        "actOnTopic", "TopicActionInput", {"topicId": topic, "action": "WITHDRAW"}, author
    ) == ["INVALID_TRANSITION"]
    seen = api.topic(topic, r4)
    assert seen["tally"] == {
        "for": 5, "against": 0, "abstain": 0, "cast": 5, "electorate": 8, "quorum": 4
    }  # fmt: skip
    assert seen["myVote"] == {"choice": "FOR", "origin": "ONLINE"}
    assert seen["likes"] == 3 and seen["commentCount"] == 2
    thread = [(c["node"]["body"], c["node"]["partyBadge"]) for c in seen["comments"]["edges"]]
    assert thread == [
        ("我是党员，愿意带头组织楼院清扫。", True),
        ("支持，挡风板最好是透明的。", False),
    ]
    assert seen["comments"]["edges"][0]["node"]["likes"] == 1
    assert seen["authorName"] == "张**"  # masked for fellow residents
    assert api.topic(topic, author)["authorName"] == "张大爷"

    # The window closes by timer, not by request: nothing happens a minute early.
    clock.advance(timedelta(hours=72) - timedelta(minutes=1))
    assert sweep(db, clock.now()).fired == 0
    clock.advance(timedelta(minutes=2))
    assert [e["code"] for e in api.vote(r6, topic, "AGAINST")["errors"]] == ["VOTING_CLOSED"]
    report = sweep(db, clock.now())
    assert report.fired == 1
    assert sweep(db, clock.now()).fired == 0  # a duplicate sweep changes nothing
    adopted = api.topic(topic, r3)
    assert adopted["state"] == "ADOPTED"
    assert adopted["decisionReason"].startswith("通过：赞成 5 票，反对 0 票")
    assert adopted["caseCode"] and adopted["caseProgress"]["state"] == "REPORTED"
    case_gid = adopted["caseId"]
    case = api.query(
        "query($id: ID!) { case(id: $id) { channel topicId description state } }",
        {"id": case_gid}, tw.community_staff_id,
    ).data["case"]  # fmt: skip
    assert (case["channel"], case["topicId"]) == ("TOPIC", topic)
    assert case["description"].startswith("【党群议事】地下车库入口垃圾被风吹进车库")
    kinds = {n["kind"] for n in api.query(NOTICES, {}, r3).data["topicNotices"]["nodes"]}
    assert kinds == {"ADOPTED"}  # voters hear the result

    # The case goes through the whistle-and-report loop and is resolved inside the grid.
    case_step(api, "acceptCase", "AcceptCaseInput",
              {"caseId": case_gid, "mode": "ASSIGNED", "category": "ENVIRONMENT"},
              tw.community_staff_id)  # fmt: skip
    case_step(api, "assignCase", "AssignCaseInput", {"caseId": case_gid, "level": "GRID"},
              tw.community_staff_id)  # fmt: skip
    case_step(api, "startCase", "CaseActionInput", {"caseId": case_gid}, tw.worker_id)
    resolved = {"caseId": case_gid, "result": "已加装挡风板，每日清扫两次"}
    case_step(api, "resolveCase", "ResolveCaseInput", resolved, tw.worker_id)
    progress = api.topic(topic, r4)["caseProgress"]
    assert (progress["state"], progress["level"]) == ("RESOLVED", "GRID")
    assert [e["action"] for e in progress["timeline"]] == [
        "REPORT", "ACCEPT", "ASSIGN", "START", "RESOLVE"
    ]  # fmt: skip

    # The second topic: most residents oppose paid parking; it is declined.
    second = api.propose(author, "小区内增设收费停车位", "建议在5号楼院前划设收费停车位。")
    api.ok(
        "recordTopicInvestigation", "TopicInvestigationInput",
        {"topicId": second, "findings": "场地可以划线", "feasible": True, "date": "2026-11-26"},
        tw.secretary_id, "topic { id }",
    )  # fmt: skip
    api.ok("openTopicVoting", "TopicInput", {"topicId": second}, tw.secretary_id, "topic { id }")
    for person, choice in zip(tw.residents, ["FOR", "AGAINST", "AGAINST", "AGAINST", "ABSTAIN"],
                              strict=False):  # fmt: skip
        assert api.vote(person, second, choice)["errors"] == []
    clock.advance(timedelta(hours=73))
    assert sweep(db, clock.now()).fired == 1
    declined = api.topic(second, author)
    assert declined["state"] == "DECLINED" and declined["caseId"] is None
    assert declined["tally"]["for"] == 1 and declined["tally"]["against"] == 3
    assert "多数反对" in declined["decisionReason"]
    author_kinds = [n["kind"] for n in api.query(NOTICES, {}, author).data["topicNotices"]["nodes"]]
    assert author_kinds[0] == "DECLINED" and "ADOPTED" in author_kinds

    # Lists and figures of the grid and the community.
    grid = gid("OrgUnit", tw.grid.id)
    listed = api.query(LIST, {"unit": grid, "state": "ADOPTED"}, None).data["topics"]["nodes"]
    assert listed == [{"title": "地下车库入口垃圾被风吹进车库", "likes": 3}]
    stats = api.query(STATS, {"unit": gid("OrgUnit", tw.community.id)}, tw.community_staff_id)
    assert stats.data["topicStats"] == {
        "raised": 2, "adopted": 1, "declined": 1, "casesResolved": 1, "casesResolvedInGrid": 1,
        "adoptionRate": 0.5, "solvedInGridShare": 1.0,
    }  # fmt: skip
    log = api.query(
        "query($id: ID!) { topic(id: $id) { log { action note } } }", {"id": topic}, author
    ).data["topic"]["log"]
    assert [e["action"] for e in log] == [
        "PROPOSE", "INVESTIGATE", "OPEN_VOTING", "CLOSE_ADOPTED", "CASE_OPENED"
    ]  # fmt: skip
    assert (
        api.query("query($id: ID!) { topic(id: $id) { log { action } } }", {"id": topic}, r3).data[
            "topic"
        ]["log"]
        is None
    )
    mine_listed = api.query("{ myTopics { nodes { title state } } }", {}, author).data
    assert [n["state"] for n in mine_listed["myTopics"]["nodes"]] == ["DECLINED", "ADOPTED"]
