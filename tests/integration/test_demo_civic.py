"""The civic history (infra/demo_civic.py) over the case world: topics and partner projects
really went through their lifecycles, and the command centre's topic and partner counters of
the district, both streets and both communities equal — per day and per month — what the
records say (topics and their logs, claims, ledger entries), counted here without the counters.
Runs on either backend."""

from __future__ import annotations

from collections import Counter, defaultdict
from datetime import date

from api.domain.cases import Channel
from api.domain.clock import FixedClock
from api.domain.figures import Counts, PeriodKind
from api.domain.ledger import AccountKind, EntrySource
from api.domain.org import path_ids
from api.domain.partners import ClaimStatus, ProjectState
from api.domain.topics import TopicState
from api.services.actor import load_actor
from api.services.cases import day_of
from api.services.unit_figures import unit_figures
from api.store.db import Db
from api.store.models import OrgUnitItem, PersonItem
from infra import demo_civic
from infra.demo_civic import CivicCast, CivicHistory, seed_civic
from infra.demo_data import build_demo
from tests.case_world import CaseWorld
from tests.civic_history import civic_cast_of

TOPICS = 12
PROJECTS = 8
DAYS = 70
SEED = 5
COUNTERS = ("topics_raised", "topics_adopted", "topics_declined", "partner_claims",
            "partner_deliveries", "points_granted")  # fmt: skip
Expected = dict[tuple[str, str], Counter[str]]  # (org id, day) → counters


def from_records(db: Db, cast: CivicCast, history: CivicHistory) -> Expected:
    """The counters the records account for, on each unit of the path and each day."""
    expected: Expected = defaultdict(Counter)

    def count(unit_path: str, at: str, name: str, n: int = 1) -> None:
        for org_id in path_ids(unit_path):
            expected[(org_id, day_of(at))][name] += n

    for topic_id in history.topic_ids:
        topic = db.topics.get(topic_id)
        assert topic is not None
        log = {entry.action: entry.at for entry in db.topics.log(topic_id)}
        # Raised when opened for discussion: published from a draft, or proposed open.
        if "PUBLISH" in log:
            count(topic.unit_path, log["PUBLISH"], "topics_raised")
        elif topic.state is not TopicState.DRAFT:
            count(topic.unit_path, log["PROPOSE"], "topics_raised")
        if topic.state in (TopicState.ADOPTED, TopicState.DECLINED):
            assert topic.decided_at is not None
            count(topic.unit_path, topic.decided_at, f"topics_{topic.state.value.lower()}")
    for project_id in history.project_ids:
        project = db.partners.project(project_id)
        assert project is not None
        for claim in db.partners.claims(project_id):
            count(project.unit_path, claim.claimed_at, "partner_claims")
            if claim.delivered_at is not None:
                count(project.unit_path, claim.delivered_at, "partner_deliveries")
    projects = db.partners.projects(list(history.project_ids))
    for claimant in cast.claimants:
        partner = db.partners.partner(claimant.partner_id, consistent=True)
        assert partner is not None
        for entry in db.ledger.all_entries(AccountKind.PARTNER_POINTS, partner.id):
            if entry.source is EntrySource.DELIVERY:
                assert entry.reference is not None
                count(projects[entry.reference].unit_path, entry.at, "points_granted", entry.amount)
            elif entry.source is EntrySource.AWARD:  # counted on the partner's directory
                count(partner.directory_path, entry.at, "points_granted", entry.amount)
    return expected


def served(counts: Counts) -> dict[str, int]:
    return {name: getattr(counts, name) for name in COUNTERS}


def test_topics_and_projects_walk_their_lifecycles_and_the_counters_equal_the_records(
    db: Db, clock: FixedClock, case_world: CaseWorld
) -> None:
    cw = case_world
    now = clock.now()
    cast = civic_cast_of(db, clock, cw)
    # The demo's seeding over the case world (a seed whose short history has every step):
    # written once.
    history = seed_civic(db, now, cast, TOPICS, PROJECTS, DAYS, SEED)
    assert history is not None and seed_civic(db, now, cast, TOPICS, PROJECTS, DAYS) is None
    assert len(history.topic_ids) == TOPICS and len(history.project_ids) == PROJECTS
    # Some steps were refused (late ballots, full projects, partners out of reach): the
    # counters below equal the records all the same, so the refusals counted nothing.
    assert history.refused > 0

    # Topics: adopted ones opened their case (channel TOPIC); others declined, withdrawn,
    # merged or left in discussion or as drafts.
    found = [db.topics.get(topic_id) for topic_id in history.topic_ids]
    topics = [topic for topic in found if topic is not None]
    states = Counter(topic.state for topic in topics)
    assert states[TopicState.ADOPTED] > 0 and states[TopicState.DECLINED] > 0, states
    assert set(states) - {TopicState.ADOPTED, TopicState.DECLINED}, states
    for topic in topics:
        if topic.state is TopicState.ADOPTED:
            case = db.cases.get(topic.case_id or "")
            assert case is not None and case.channel is Channel.TOPIC
        if topic.state in (TopicState.ADOPTED, TopicState.DECLINED):
            assert topic.voters_notified and topic.decided_at is not None
    # Projects: claims withdrawn and delivered, points granted on confirmation, an award.
    claims = [c for pid in history.project_ids for c in db.partners.claims(pid)]
    statuses = Counter(claim.status for claim in claims)
    assert statuses[ClaimStatus.WITHDRAWN] > 0 and statuses[ClaimStatus.DELIVERED] > 0, statuses
    assert any(claim.points for claim in claims)
    projects = db.partners.projects(list(history.project_ids)).values()
    assert {ProjectState.CONFIRMED, ProjectState.CLOSED} & {p.state for p in projects}
    assert history.awarded

    # The counters served equal the records, per day (district) and per month (each unit).
    expected = from_records(db, cast, history)
    admin = load_actor(db, cw.world.district_admin_id)
    district = cw.district.id
    days = sorted({day for org, day in expected if org == district})
    assert len(days) >= 15 and len({day[:7] for day in days}) >= 2, days
    totals: Counter[str] = Counter()
    for day in days:
        figures = unit_figures(db, admin, district, PeriodKind.DAY, date.fromisoformat(day))
        assert served(figures.figures.counts) == served_of(expected[(district, day)]), day
        totals.update(expected[(district, day)])
    assert all(totals[name] > 0 for name in COUNTERS), totals
    units = (district, cw.world.a.street.id, cw.world.b.street.id, cw.world.a.community.id,
             cw.world.b.community.id)  # fmt: skip
    for month in sorted({day[:7] for day in days}):
        first = date.fromisoformat(f"{month}-01")
        for unit in units:
            want: Counter[str] = Counter()
            for (org, day), counted in expected.items():
                if org == unit and day.startswith(month):
                    want.update(counted)
            figures = unit_figures(db, admin, unit, PeriodKind.MONTH, first)
            assert served(figures.figures.counts) == served_of(want), (unit, month)


def served_of(counted: Counter[str]) -> dict[str, int]:
    return {name: counted[name] for name in COUNTERS}


def test_the_demo_cast_is_in_the_demo_district(
    db: Db, clock: FixedClock, case_world: CaseWorld
) -> None:
    items = build_demo(clock)
    units = {item.id for item in items if isinstance(item, OrgUnitItem)}
    people = {item.id for item in items if isinstance(item, PersonItem)}
    cast = demo_civic.demo_civic_cast(())
    assert len(cast.forums) == 44 and len(cast.publishers) == 44  # two in each of 22 streets
    for forum in cast.forums:
        assert {forum.unit_id, forum.place_id or forum.unit_id} <= units
        assert {forum.guide_id, *forum.residents} <= people
    for publisher in cast.publishers:
        assert publisher.unit_id in units and publisher.manager_id in people
    assert cast.awarder_id in people
    # The demo's partners are read back from the district "SB" (the case world's id too):
    # the approved ones only, with their street sub-directories.
    civic_cast_of(db, clock, case_world)
    partner = db.partners.partner
    claimants = demo_civic.demo_claimants(db)
    assert len(claimants) == 4
    assert all(found is not None and found.status.value == "APPROVED"
               for found in (partner(c.partner_id) for c in claimants))  # fmt: skip
