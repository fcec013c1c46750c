"""A generated history of topics (党群议事) and red-partner projects (红色合伙人) through their
services (fixed seed), the companion of the cases of ``infra/demo_history.py``: logs, tallies,
ledgers and the command centre's day counters are exactly what the API would have written.

Topics are proposed by residents of a grid (sometimes of a community), some as drafts published
later; the grid's guides record the door-to-door findings (入户调研, mostly feasible) and open
the vote; the electorate votes over the window (a random turnout and support per topic, a few
ballots arriving after the close and refused); when the window ends the sweeper's firer decides
(adopted topics open their case) — or the topic is withdrawn, merged into a neighbour or left in
discussion. Projects are published from a need by a community or grid, opened, claimed by
approved partners (some claims withdrawn, some refused: a street's partner serves its street
only), delivered, reported, and confirmed with points or rejected and closed; projects nobody
claimed are cancelled. Now and then a partner with points is nominated for the year's 红色创新奖
and awarded.

Two things the walk never does, so that the records alone account for every counter (a claim
is one item per partner and project, rewritten in place): a partner never claims again a
project it withdrew from, and a rejected delivery is closed, not sent back (REDO) to be
reported twice. Drafts are published or stay drafts (a withdrawn draft was never raised, and
its log does not say so).

All steps run in time order on one clock (a heap, as in ``demo_history``); a refused step
(``DomainError``) writes nothing and its chain ends there. A step due after ``until`` is not
taken: recent topics stay open, as they would be.
"""

from __future__ import annotations

import heapq
import random
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta

from api.domain.clock import SHANGHAI, FixedClock, iso
from api.domain.errors import DomainError
from api.domain.partners import ClaimStatus, ProjectAction, ProjectState
from api.domain.topics import TopicAction, VoteChoice
from api.services import partner_projects, topic_votes
from api.services import topics as topic_service
from api.services.actor import Actor, load_actor
from api.store.db import Db

# What residents raise (category, title, body); numbered in the walk so titles differ.
TOPIC_THEMES: tuple[tuple[str, str, str], ...] = (
    ("ENVIRONMENT", "楼道杂物集中清理", "楼道里堆放的纸箱和旧家具影响通行，建议组织一次集中清理。"),
    ("PARKING", "小区停车位重新划线", "车位线早已磨损，乱停车堵住消防通道，建议重新划线并编号。"),
    ("GREENERY", "楼院绿化带补种", "绿化带多处裸露，建议补种灌木并安排居民认养。"),
    ("PROPERTY_MANAGEMENT", "单元门禁更换", "单元门禁经常失灵，外来人员随意进出，建议更换门禁。"),
    ("ELDERLY_CARE", "开设长者助餐点", "独居老人做饭不便，建议在党群服务站开设助餐点。"),
    ("ROADS", "楼前路面修补", "楼前路面坑洼，雨天积水，建议修补并加装排水篦子。"),
    ("UTILITIES", "加装电动车充电桩", "电动车在楼道充电有火灾隐患，建议在院内加装充电桩。"),
    ("PUBLIC_ORDER", "夜间增加巡逻", "夜间院内有人聚集喧哗，建议党员志愿者增加夜间巡逻。"),
    ("OTHER", "设立共享工具箱", "建议在党群服务站设立共享工具箱，方便居民修修补补。"),
    ("OTHER", "楼院议事公示栏", "建议在每个楼院设公示栏，议事结果和费用及时公开。"),
)  # fmt: skip
# Projects published from a need (title, need category), numbered in the walk.
PROJECT_THEMES: tuple[tuple[str, str], ...] = (
    ("楼道灯维修", "ELECTRICITY"), ("防诈骗讲座", "FINANCE"), ("智能手机课堂", "TELECOM"),
    ("家电义修", "REPAIR"), ("健康义诊", "HEALTH"), ("法律咨询日", "LEGAL"),
    ("四点半课堂", "EDUCATION"), ("长者助餐", "FOOD"), ("助老陪护", "ELDERLY"),
    ("燃气安全检查", "SAFETY"), ("红色文化讲堂", "CULTURE"), ("就医接送", "TRANSPORT"),
)  # fmt: skip

HOUR = timedelta(hours=1)
DAY = timedelta(days=1)
SWEEP_LAG = 4  # hours at most between a voting window's end and the sweep that decides it


@dataclass(frozen=True)
class Forum:
    """Where topics are raised: a grid or a community, and who takes part there."""

    unit_id: str
    guide_id: str  # GUIDE_TOPICS there: records 入户调研, opens votes, merges
    residents: tuple[str, ...]  # registered within the unit: propose and vote
    weight: float = 1.0  # share of the topics, relative to the other forums
    place_id: str | None = None  # where a community's topics are (one of its grids, buildings)


@dataclass(frozen=True)
class Publisher:
    """A community or grid that publishes needs and projects, and who manages them there."""

    unit_id: str
    manager_id: str  # MANAGE_PARTNERS there: publishes, opens, starts delivery, confirms
    weight: float = 1.0


@dataclass(frozen=True)
class Claimant:
    """An approved partner and who acts for it (a representative, or its directory's staff)."""

    partner_id: str
    actor_id: str


@dataclass(frozen=True)
class CivicCast:
    """Everyone the civic walk speaks as."""

    forums: tuple[Forum, ...]
    publishers: tuple[Publisher, ...]
    claimants: tuple[Claimant, ...]
    awarder_id: str  # the district (MANAGE_PARTNERS on it): nominates and awards 红色创新奖


@dataclass(frozen=True)
class CivicHistory:
    topic_ids: tuple[str, ...]
    project_ids: tuple[str, ...]
    awarded: tuple[str, ...]  # partners awarded 红色创新奖
    refused: int  # steps refused by the services (they wrote nothing)


def generate_civic(
    db: Db,
    clock: FixedClock,
    cast: CivicCast,
    topics: int,
    projects: int,
    seed: int,
    span: timedelta,
    until: datetime | None = None,
    awards: int = 1,
) -> CivicHistory:
    """``topics`` topics and ``projects`` projects started over ``span`` from the clock's time
    and walked in time order, and up to ``awards`` 红色创新奖 late in the span; their ids. The
    clock ends at the last step taken."""
    walk = _Walk(db, clock, cast, random.Random(seed), until)
    start = clock.now()
    forum_weights = [forum.weight for forum in cast.forums]
    for number in range(topics):
        forum = walk.rng.choices(cast.forums, forum_weights)[0]
        walk.at(start + span * walk.rng.random(), _Topic(walk, number, forum).propose)
    publisher_weights = [publisher.weight for publisher in cast.publishers]
    for number in range(projects):
        publisher = walk.rng.choices(cast.publishers, publisher_weights)[0]
        # Late projects would only be published: most start in the first three quarters.
        at = start + span * walk.rng.random() * 0.75
        walk.at(at, _Project(walk, number, publisher).publish)
    for _ in range(awards):
        walk.at(start + span * walk.rng.uniform(0.6, 0.9), walk.nominate)
    walk.run()
    return CivicHistory(
        tuple(t.topic_id for t in walk.topics if t.topic_id is not None),
        tuple(p.project_id for p in walk.projects if p.project_id is not None),
        tuple(walk.awarded),
        walk.refused,
    )


class _Walk:
    """The clock, the queue of steps due, and what the steps share."""

    def __init__(
        self, db: Db, clock: FixedClock, cast: CivicCast, rng: random.Random,
        until: datetime | None,
    ) -> None:  # fmt: skip
        self.db, self.clock, self.cast, self.rng, self.until = db, clock, cast, rng, until
        self.queue: list[tuple[datetime, int, Callable[[], None]]] = []
        self.sequence = 0  # tie-breaker of steps due at the same moment
        self.loaded: dict[str, Actor] = {}
        self.topics: list[_Topic] = []
        self.projects: list[_Project] = []
        self.acting_for = {c.partner_id: c.actor_id for c in cast.claimants}
        self.granted: list[str] = []  # partners granted delivery points so far
        self.awarded: list[str] = []
        self.refused = 0

    def actor(self, person_id: str) -> Actor:
        """Each person loaded once: grants do not change during a history."""
        if person_id not in self.loaded:
            self.loaded[person_id] = load_actor(self.db, person_id)
        return self.loaded[person_id]

    def at(self, moment: datetime, step: Callable[[], None]) -> None:
        self.sequence += 1
        heapq.heappush(self.queue, (moment, self.sequence, step))

    def later(self, low: timedelta, high: timedelta, step: Callable[[], None]) -> None:
        self.at(self.clock.now() + low + (high - low) * self.rng.random(), step)

    def run(self) -> None:
        while self.queue:
            moment, _, step = heapq.heappop(self.queue)
            if self.until is not None and moment > self.until:
                break  # every later step is later still
            if moment > self.clock.now():
                self.clock.advance(moment - self.clock.now())
            try:
                step()
            except DomainError:
                # Refused (the topic or project moved on meanwhile, a partner out of reach):
                # nothing was written, and this chain of steps ends here.
                self.refused += 1

    def nominate(self) -> None:
        """红色创新奖: a partner granted points so far is nominated, then awarded by the
        district a few days later (once a year each: a second nomination is refused)."""
        if not self.granted:
            return
        partner_id = self.rng.choice(self.granted)
        year = self.clock.now().astimezone(SHANGHAI).year
        awarder = self.actor(self.cast.awarder_id)

        def decide(award: bool) -> None:
            partner_projects.record_award(
                self.db, awarder, self.clock, partner_id, year, "党建民生项目服务居民成效突出",
                award,
            )  # fmt: skip
            if award:
                self.awarded.append(partner_id)

        decide(False)
        self.later(DAY, 7 * DAY, lambda: decide(True))


@dataclass
class _Topic:
    """One topic on its way, from its proposal to the decision of its vote."""

    walk: _Walk
    number: int
    forum: Forum
    topic_id: str | None = None
    author: str = ""
    turnout: float = 0.0  # share of the voters who vote
    support: float = 0.0  # chance of a vote for

    def __post_init__(self) -> None:
        rng = self.walk.rng
        self.author = rng.choice(self.forum.residents)
        self.turnout = rng.uniform(0.3, 1.0)
        self.support = rng.uniform(0.2, 0.95)
        self.walk.topics.append(self)

    @property
    def id(self) -> str:
        assert self.topic_id is not None
        return self.topic_id

    def propose(self) -> None:
        walk = self.walk
        category, title, body = TOPIC_THEMES[self.number % len(TOPIC_THEMES)]
        draft = walk.rng.random() < 0.15
        data = topic_service.ProposeInput(
            self.forum.unit_id, f"{title}（{self.number + 1}）", body, category,
            location_unit_id=self.forum.place_id, draft=draft,
        )  # fmt: skip
        self.topic_id = topic_service.propose(walk.db, walk.actor(self.author), walk.clock, data).id
        if not draft:
            walk.later(6 * HOUR, 4 * DAY, self.discuss)
        elif walk.rng.random() < 0.75:  # the rest stay drafts
            walk.later(2 * HOUR, 3 * DAY, self.publish)

    def by_author(self, action: TopicAction) -> None:
        walk = self.walk
        topic_service.act(walk.db, walk.actor(self.author), walk.clock, self.id, action)

    def publish(self) -> None:
        walk = self.walk
        self.by_author(TopicAction.PUBLISH)
        walk.later(6 * HOUR, 4 * DAY, self.discuss)

    def discuss(self) -> None:
        """After some discussion: withdrawn, merged, left as it is, or investigated."""
        walk = self.walk
        draw = walk.rng.random()
        if draw < 0.06:
            self.by_author(TopicAction.WITHDRAW)
        elif draw < 0.14:
            self.merge()
        elif draw < 0.2:
            return  # left in discussion
        elif draw < 0.27:  # opened without 入户调研: the vote cannot adopt it
            walk.later(HOUR, 2 * DAY, self.open_vote)
        else:
            feasible = walk.rng.random() < 0.85
            findings = "入户走访征求意见，多数居民支持，费用可由公共收益列支。"
            if not feasible:
                findings = "入户走访发现场地和资金均不具备条件。"
            topic_service.record_investigation(
                walk.db, walk.actor(self.forum.guide_id), walk.clock, self.id, findings,
                feasible, walk.clock.now().astimezone(SHANGHAI).date(),
            )  # fmt: skip
            walk.later(12 * HOUR, 5 * DAY, self.open_vote)

    def merge(self) -> None:
        """Into another topic of the same forum (refused unless it is open for discussion or
        voting)."""
        walk = self.walk
        others = [
            t.topic_id
            for t in walk.topics
            if t.forum == self.forum and t is not self and t.topic_id is not None
        ]
        if not others:
            return  # nothing to merge into: left in discussion
        topic_service.act(
            walk.db, walk.actor(self.forum.guide_id), walk.clock, self.id, TopicAction.MERGE,
            "同一问题, 合并讨论", walk.rng.choice(others),
        )  # fmt: skip

    def open_vote(self) -> None:
        walk = self.walk
        guide = walk.actor(self.forum.guide_id)
        topic = topic_votes.open_voting(walk.db, guide, walk.clock, self.id)
        assert topic.voting_closes_at is not None
        closes = datetime.fromisoformat(topic.voting_closes_at)
        window = closes - walk.clock.now()
        for voter in self.forum.residents:
            if walk.rng.random() < self.turnout:
                # A few ballots come after the close (refused, VotingClosed).
                walk.later(timedelta(0), window * 1.05, self.ballot(voter))
        walk.at(closes + SWEEP_LAG * HOUR * walk.rng.random(), self.fire)

    def ballot(self, voter: str) -> Callable[[], None]:
        walk = self.walk
        draw = walk.rng.random()
        if draw < self.support:
            choice = VoteChoice.FOR
        elif draw < self.support + (1 - self.support) * 0.7:
            choice = VoteChoice.AGAINST
        else:
            choice = VoteChoice.ABSTAIN

        def cast() -> None:
            topic_votes.cast_vote(walk.db, walk.actor(voter), walk.clock, self.id, choice)

        return cast

    def fire(self) -> None:
        """What the sweeper does when the window's timer is due: decide, open the case."""
        topic_votes.fire_topic(self.walk.db, self.id, self.walk.clock.now())


@dataclass
class _Project:
    """One project on its way, from its need to its confirmation or cancellation."""

    walk: _Walk
    number: int
    publisher: Publisher
    project_id: str | None = None

    def __post_init__(self) -> None:
        self.walk.projects.append(self)

    @property
    def id(self) -> str:
        assert self.project_id is not None
        return self.project_id

    def manage(self, action: ProjectAction, reason: str = "") -> None:
        walk = self.walk
        manager = walk.actor(self.publisher.manager_id)
        partner_projects.transition(walk.db, manager, walk.clock, self.id, action, reason)

    def publish(self) -> None:
        """A need of the unit, and a draft project made from it (capacity 1 to 3)."""
        walk = self.walk
        title, category = PROJECT_THEMES[self.number % len(PROJECT_THEMES)]
        title = f"{title}（{self.number + 1}）"
        unit_id = self.publisher.unit_id
        manager = walk.actor(self.publisher.manager_id)
        need = partner_projects.publish_need(
            walk.db, manager, walk.clock,
            partner_projects.NeedInput(unit_id, category, f"{title}需求", f"居民提出: 需要{title}"),
        )  # fmt: skip
        data = partner_projects.ProjectInput(
            unit_id, title, f"{title}: 党建民生项目", (need.id,), capacity=walk.rng.randint(1, 3)
        )
        self.project_id = partner_projects.create_project(walk.db, manager, walk.clock, data).id
        draw = walk.rng.random()
        if draw < 0.05:
            return  # left a draft
        if draw < 0.1:
            walk.later(HOUR, 3 * DAY, lambda: self.manage(ProjectAction.CANCEL))
            return
        walk.later(HOUR, 2 * DAY, self.open)

    def open(self) -> None:
        """Published for claims: a few partners come forward over the next days; delivery
        starts (or the project is cancelled, unclaimed) a week or two later."""
        walk = self.walk
        self.manage(ProjectAction.OPEN)
        count = min(walk.rng.randint(1, 4), len(walk.cast.claimants))
        for claimant in walk.rng.sample(walk.cast.claimants, count):
            walk.later(2 * HOUR, 6 * DAY, self.claim(claimant))
        walk.later(7 * DAY, 16 * DAY, self.start)

    def claim(self, claimant: Claimant) -> Callable[[], None]:
        walk = self.walk

        def step() -> None:
            actor = walk.actor(claimant.actor_id)
            partner_projects.claim(walk.db, actor, walk.clock, self.id, claimant.partner_id)
            if walk.rng.random() < 0.25:  # changes its mind before delivery starts
                walk.later(6 * HOUR, 5 * DAY, self.withdraw(claimant))

        return step

    def withdraw(self, claimant: Claimant) -> Callable[[], None]:
        walk = self.walk

        def step() -> None:
            actor = walk.actor(claimant.actor_id)
            partner_projects.withdraw_claim(
                walk.db, actor, walk.clock, self.id, claimant.partner_id
            )

        return step

    def start(self) -> None:
        walk = self.walk
        project = walk.db.partners.project(self.id)
        if project is None or project.state not in (ProjectState.OPEN, ProjectState.FULLY_CLAIMED):
            return
        if project.claimed == 0:
            self.manage(ProjectAction.CANCEL)  # nobody came forward
            return
        self.manage(ProjectAction.START_DELIVERY)
        for claim in walk.db.partners.claims(self.id):
            if claim.status is ClaimStatus.ACTIVE:
                walk.later(DAY, 10 * DAY, self.deliver(claim.partner_id))

    def deliver(self, partner_id: str) -> Callable[[], None]:
        walk = self.walk

        def step() -> None:
            actor = walk.actor(walk.acting_for[partner_id])
            partner_projects.report_delivery(
                walk.db, actor, walk.clock, self.id, partner_id, "已完成服务，居民签字确认",
                [f"demo/{self.id}/{partner_id}.jpg"],
            )  # fmt: skip
            project = walk.db.partners.project(self.id)
            if project is not None and project.state is ProjectState.DELIVERED:
                walk.later(DAY, 5 * DAY, self.decide)

        return step

    def decide(self) -> None:
        """The unit confirms (points to each delivering partner) or rejects; later it closes."""
        walk = self.walk
        if walk.rng.random() < 0.8:
            self.manage(ProjectAction.CONFIRM)
            delivered = walk.db.partners.claims(self.id)
            walk.granted += [c.partner_id for c in delivered if c.points]
            if walk.rng.random() < 0.6:
                walk.later(DAY, 7 * DAY, lambda: self.manage(ProjectAction.CLOSE))
            return
        self.manage(ProjectAction.REJECT, "缺少居民签字确认")
        walk.later(DAY, 5 * DAY, lambda: self.manage(ProjectAction.CLOSE))


# --- the demo district ------------------------------------------------------------------------

SEED_NAME = "shibei-civic-v1"  # the marker of a finished civic history
DEMO_TOPICS = 120
DEMO_PROJECTS = 60
DEMO_DAYS = 90
DEMO_SEED = 2027
DEMO_ADMIN = "P-SB-ADMIN"  # the district's admin: manages every directory, awards


def demo_claimants(db: Db) -> tuple[Claimant, ...]:
    """The demo's approved partners (infra/demo_partners.py; their ids are drawn when they are
    written, so they are read back), each acting through the district's admin as at the
    meeting; none before the partners are seeded."""
    from api.domain.partners import PartnerStatus
    from api.store.partner_store import DirectoryQuery

    query = DirectoryQuery("SB", include_streets=True, status=PartnerStatus.APPROVED)
    claimants: list[Claimant] = []
    after: str | None = None
    while True:
        page = db.partners.directory(query, 100, after)
        claimants += [Claimant(edge.node.id, DEMO_ADMIN) for edge in page.edges]
        after = page.end_cursor
        if not page.has_next_page or after is None:
            return tuple(claimants)


def demo_civic_cast(claimants: tuple[Claimant, ...]) -> CivicCast:
    """The demo district (infra/demo_data.py): the first grid of the first community of each of
    the 22 streets raises topics (its secretary guides; its residents, secretary, worker and
    instructor vote), the first community too (its staff guide); projects are published by
    every street's first community (its staff) and first grid (its secretary)."""
    from infra.demo_data import STREETS

    forums: list[Forum] = []
    publishers: list[Publisher] = []
    for number in range(1, len(STREETS) + 1):
        community = f"ST{number:02d}C01"
        grid = f"{community}G01"
        voters = tuple(f"P-{grid}-{who}" for who in ("R1", "R2", "SECRETARY", "WORKER",
                                                      "INSTRUCTOR"))  # fmt: skip
        forums.append(Forum(grid, f"P-{grid}-SECRETARY", voters))
        forums.append(Forum(community, f"P-{community}-STAFF", voters, 0.3, f"{grid}B1"))
        publishers.append(Publisher(community, f"P-{community}-STAFF"))
        publishers.append(Publisher(grid, f"P-{grid}-SECRETARY", 0.5))
    return CivicCast(tuple(forums), tuple(publishers), claimants, DEMO_ADMIN)


def seed_civic(
    db: Db, now: datetime, cast: CivicCast | None = None, topics: int = DEMO_TOPICS,
    projects: int = DEMO_PROJECTS, days: int = DEMO_DAYS, seed: int = DEMO_SEED,
) -> CivicHistory | None:  # fmt: skip
    """The demo district's last ``days`` days of topics and projects, once (a marker records a
    finished history); None when the marker is there. Not resumable: a run interrupted before
    the marker starts again and writes a second history."""
    if db.org_units.seeded(SEED_NAME):
        return None
    clock = FixedClock(now - timedelta(days=days))
    history = generate_civic(
        db, clock, cast or demo_civic_cast(demo_claimants(db)), topics, projects, seed,
        timedelta(days=days), until=now,
    )  # fmt: skip
    written = len(history.topic_ids) + len(history.project_ids)
    db.org_units.mark_seeded(SEED_NAME, written, iso(now))
    return history
