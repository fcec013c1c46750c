"""Red partners, resources, needs, projects, claims and awards. Key design: README.md,
"Red partners".

Every change is one unit of work committed as one ``TransactWriteItems``. A claim is decided by
conditions, not by reading first: the partner is checked to be APPROVED, the claim is put if
absent (or over a withdrawn claim), and the project's counters move only if ``state = OPEN``
and a slot is left (``slots_left > 1`` for an ordinary slot, ``slots_left = 1`` for the last
one, which also sets FULLY_CLAIMED).

A partner carries the ids of its resources and a project the ids of its claimants (added in the
transaction that creates the child), so a page of N partners or projects gets every child in
one ``BatchGetItem`` per 100 keys instead of one Query per item.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, replace
from typing import Protocol, TypeVar

from pynamodb.exceptions import DoesNotExist
from pynamodb.expressions.condition import Condition

from api.domain.messages import msg
from api.domain.org import path_ids
from api.domain.partners import ClaimStatus, PartnerKind, PartnerStatus, ProjectState
from api.records.partner import (
    AwardRecord,
    ClaimRecord,
    NeedRecord,
    PartnerRecord,
    ProjectRecord,
    ResourceRecord,
)
from api.store.counter_store import DayCounts, add_counts
from api.store.ledger_store import LedgerPosting, add_posting
from api.store.models import Item
from api.store.pagination import Page, query_page
from api.store.partner_codec import (
    at_version,
    award_item,
    award_record,
    claim_item,
    claim_record,
    need_item,
    need_record,
    new_partner_item,
    partner_record,
    project_item,
    project_record,
    resource_item,
    resource_record,
)
from api.store.partner_models import (
    AwardItem,
    ClaimItem,
    NeedItem,
    PartnerItem,
    ProjectItem,
    ResourceItem,
    all_partners_pk,
    award_key,
    claim_key,
    directory_pk,
    lists_pk,
    need_key,
    partner_claims_pk,
    partner_key,
    project_gsi2sk,
    project_key,
    resource_key,
    resources_pk,
    street_projects_pk,
)
from api.store.repository import Repository, bound

# One DynamoDB page per list (1 MB): a community's lists are tens to a few hundred items.
LIST_LIMIT = 500

M = TypeVar("M", bound=Item)
R = TypeVar("R")
I = TypeVar("I", bound="_Identified")  # noqa: E741


class _Identified(Protocol):
    @property
    def id(self) -> str: ...


# --- units of work -------------------------------------------------------------------------


@dataclass(frozen=True)
class PartnerStatusChange:
    """A partner's new status (``partner`` at the version it was read at); its resources
    follow, so the resources list needs no read of the partners."""

    partner: PartnerRecord
    status: PartnerStatus
    reason: str | None
    at: str
    resources: tuple[ResourceRecord, ...]


@dataclass(frozen=True)
class NewResource:
    """A resource joining its partner (read at ``partner.version``: status and count hold)."""

    resource: ResourceRecord
    partner: PartnerRecord


@dataclass(frozen=True)
class NewProject:
    """A DRAFT project taking its needs (each need goes into one project: first wins)."""

    project: ProjectRecord
    needs: tuple[NeedRecord, ...]


@dataclass(frozen=True)
class ProjectChange:
    """A project's new values (its ``version`` the one read), the claims it rewrites (status,
    withdrawal, points), the ledger postings it grants and the figures' counters they add
    (``points_granted``), in one transaction."""

    project: ProjectRecord
    claims: tuple[ClaimRecord, ...] = ()
    postings: tuple[LedgerPosting, ...] = ()
    counted: DayCounts | None = None


@dataclass(frozen=True)
class NewClaim:
    """A partner's claim on a project read at ``project``; ``last_slot`` selects the slot
    condition; a claim over a withdrawn one carries that claim's version."""

    claim: ClaimRecord
    project: ProjectRecord
    partner: PartnerRecord
    last_slot: bool
    counted: DayCounts | None = None  # ``partner_claims`` of the project's unit path


@dataclass(frozen=True)
class ClaimWithdrawal:
    claim: ClaimRecord  # as read (ACTIVE)
    project: ProjectRecord
    at: str


@dataclass(frozen=True)
class DeliveryReport:
    """The claim's report and the project's counters (both at the versions read)."""

    claim: ClaimRecord
    project: ProjectRecord
    counted: DayCounts | None = None  # ``partner_deliveries`` of the project's unit path


@dataclass(frozen=True)
class AwardDecision:
    award: AwardRecord  # AWARDED, at the version read
    posting: LedgerPosting
    counted: DayCounts | None = None  # ``points_granted`` of the partner's directory path


@dataclass(frozen=True)
class DirectoryQuery:
    """Which directory and filters: the 名录 (district), a 子库 (street), or every partner of
    the district with its streets' sub-directories (``include_streets``)."""

    unit_id: str
    include_streets: bool = False
    status: PartnerStatus | None = None
    kind: PartnerKind | None = None
    category: str | None = None
    name_prefix: str = ""


def _get(model: type[M], key: tuple[str, str], consistent: bool) -> M | None:
    try:
        return model.get(*key, consistent_read=consistent)
    except DoesNotExist:
        return None


def _read(
    model: type[M], key: tuple[str, str], consistent: bool, convert: Callable[[M], R]
) -> R | None:
    item = _get(model, key, consistent)
    return convert(item) if item is not None else None


def _read_many(
    model: type[M],
    key_of: Callable[[str], tuple[str, str]],
    ids: Sequence[str],
    convert: Callable[[M], I],
) -> dict[str, I]:
    """Items by id: one BatchGetItem per 100 distinct ids."""
    keys = [key_of(item_id) for item_id in dict.fromkeys(ids)]
    records = (convert(item) for item in model.batch_get(keys))
    return {record.id: record for record in records}


def _keyed(model: type[M], key: tuple[str, str], version: int) -> M:
    """An item to update by key, at the version it was read at."""
    return at_version(model(*key), version)


def _and(conditions: Iterable[Condition]) -> Condition | None:
    combined: Condition | None = None
    for condition in conditions:
        combined = condition if combined is None else combined & condition
    return combined


def _children(
    model: type[M],
    child_ids: Mapping[str, tuple[str, ...] | None],
    key_of: Callable[[str, str], tuple[str, str]],
    convert: Callable[[M], R],
    query: Callable[[str], list[R]],
) -> dict[str, list[R]]:
    """The children of many parents by the ids each parent carries: one BatchGetItem per 100
    keys, each parent's children in sort-key order (as a Query of its partition returns them).
    A parent written before it carried the ids (``None``) costs that Query instead."""
    keys = [key_of(parent, child) for parent, ids in child_ids.items() for child in ids or ()]
    by_partition: dict[str, list[M]] = defaultdict(list)
    for item in model.batch_get(keys) if keys else ():
        by_partition[item.pk].append(item)

    def children(parent: str) -> list[R]:
        items = by_partition[key_of(parent, "")[0]]
        return [convert(item) for item in sorted(items, key=lambda item: item.sk)]

    return {
        parent: query(parent) if ids is None else children(parent)
        for parent, ids in child_ids.items()
    }


class PartnerStore(Repository):
    """Reads return frozen records (api.records); each change is one unit of work."""

    # --- partners and resources ------------------------------------------------------------

    @bound
    def partner(self, partner_id: str, consistent: bool = False) -> PartnerRecord | None:
        return _read(PartnerItem, partner_key(partner_id), consistent, partner_record)

    @bound
    def partners(self, partner_ids: Sequence[str]) -> dict[str, PartnerRecord]:
        return _read_many(PartnerItem, partner_key, partner_ids, partner_record)

    @bound
    def resources(self, partner_id: str) -> list[ResourceRecord]:
        """A partner's resources (one consistent Query on its partition)."""
        return [
            resource_record(item)
            for item in ResourceItem.query(
                partner_key(partner_id)[0],
                ResourceItem.sk.startswith("RESOURCE#"),
                consistent_read=True,
            )
        ]

    @bound
    def resources_of(self, partners: Sequence[PartnerRecord]) -> dict[str, list[ResourceRecord]]:
        """The resources of many partners: one BatchGetItem per 100 resources (a Query only
        for a partner written before it carried its resource ids)."""
        return _children(
            ResourceItem,
            {p.id: p.resource_ids for p in partners},
            resource_key,
            resource_record,
            self.resources,
        )

    @bound
    def directory(
        self, query: DirectoryQuery, first: int, after: str | None
    ) -> Page[PartnerRecord]:
        """A directory by name: gsi1 ``PARTNERS#<unit>``, or gsi2 ``PARTNERS_ALL#<district>``."""
        conditions: list[Condition] = []
        if query.status:
            conditions.append(PartnerItem.status == query.status.value)
        if query.kind:
            conditions.append(PartnerItem.kind == query.kind.value)
        if query.category:
            conditions.append(PartnerItem.categories.contains(query.category))
        prefix = query.name_prefix
        if query.include_streets:
            partition, index, sort_key = all_partners_pk(query.unit_id), "gsi2", PartnerItem.gsi2sk
        else:
            partition, index, sort_key = directory_pk(query.unit_id), "gsi1", PartnerItem.gsi1sk
        return query_page(
            PartnerItem,
            self.db.codec,
            partition,
            index=index,
            range_key_condition=sort_key.startswith(prefix) if prefix else None,
            filter_condition=_and(conditions),
            first=first,
            after=after,
        ).map(partner_record)

    @bound
    def approved_resources(self, unit_id: str, category: str | None = None) -> list[ResourceRecord]:
        """Resources of approved partners in a directory (of one category): one Query."""
        return [
            resource_record(item)
            for item in ResourceItem.by_parent.query(
                resources_pk(unit_id),
                ResourceItem.gsi1sk.startswith(f"{category}#") if category else None,
                filter_condition=ResourceItem.partner_status == PartnerStatus.APPROVED.value,
                limit=LIST_LIMIT,
            )
            if isinstance(item, ResourceItem)
        ]

    @bound
    def register(self, partner: PartnerRecord) -> PartnerRecord:
        """A new partner (one item, put if absent)."""
        item = new_partner_item(partner)
        item.save(condition=PartnerItem.pk.does_not_exist())
        return partner_record(item)

    def change_status(self, change: PartnerStatusChange) -> PartnerRecord:
        partner = change.partner
        item = _keyed(PartnerItem, partner_key(partner.id), partner.version)
        with self.db.transaction(msg("conflict.partner_named", partner_name=partner.name)) as tx:
            # Conditioned on the version read (a claim or a new resource bumps it).
            tx.update(
                item,
                actions=[
                    PartnerItem.status.set(change.status.value),
                    PartnerItem.status_reason.set(change.reason)
                    if change.reason
                    else PartnerItem.status_reason.remove(),
                    PartnerItem.updated_at.set(change.at),
                ],
            )
            for resource in change.resources:
                tx.update(
                    _keyed(ResourceItem, resource_key(partner.id, resource.id), resource.version),
                    actions=[ResourceItem.partner_status.set(change.status.value)],
                    add_version_condition=False,
                )
        return replace(
            partner,
            status=change.status,
            status_reason=change.reason,
            updated_at=change.at,
            version=partner.version + 1,
        )

    def add_resource(self, change: NewResource) -> ResourceRecord:
        partner, resource = change.partner, change.resource
        categories = sorted({*partner.categories, resource.category})
        # The partner's status and resource count must be what was read: a resource never
        # joins a partner that was withdrawn (or filled up) meanwhile.
        with self.db.transaction(msg("conflict.partner_named", partner_name=partner.name)) as tx:
            item = resource_item(resource)
            tx.save(item, condition=ResourceItem.pk.does_not_exist())
            tx.update(
                _keyed(PartnerItem, partner_key(partner.id), partner.version),
                actions=[
                    PartnerItem.resource_count.add(1),
                    PartnerItem.categories.set(categories),
                    PartnerItem.resource_ids.add({resource.id}),
                ],
            )
        return resource_record(item)

    # --- needs and projects ----------------------------------------------------------------

    @bound
    def need(self, need_id: str, consistent: bool = True) -> NeedRecord | None:
        return _read(NeedItem, need_key(need_id), consistent, need_record)

    @bound
    def needs(self, need_ids: Sequence[str]) -> dict[str, NeedRecord]:
        return _read_many(NeedItem, need_key, need_ids, need_record)

    @bound
    def publish_need(self, need: NeedRecord) -> NeedRecord:
        """A new need (one item, put if absent)."""
        item = need_item(need)
        item.save(condition=NeedItem.pk.does_not_exist())
        return need_record(item)

    @bound
    def project(self, project_id: str, consistent: bool = True) -> ProjectRecord | None:
        return _read(ProjectItem, project_key(project_id), consistent, project_record)

    @bound
    def projects(self, project_ids: Sequence[str]) -> dict[str, ProjectRecord]:
        return _read_many(ProjectItem, project_key, project_ids, project_record)

    def create_project(self, change: NewProject) -> ProjectRecord:
        with self.db.transaction(msg("conflict.need_taken")) as tx:
            item = project_item(change.project)
            tx.save(item, condition=ProjectItem.pk.does_not_exist())
            for need in change.needs:
                # A need goes into one project: the first to take it wins.
                tx.update(
                    _keyed(NeedItem, need_key(need.id), need.version),
                    actions=[NeedItem.project_id.set(change.project.id)],
                    condition=NeedItem.project_id.does_not_exist(),
                    add_version_condition=False,
                )
        return project_record(item)

    @bound
    def community_lists(self, community_id: str) -> tuple[list[NeedRecord], list[ProjectRecord]]:
        """A community's needs and projects: they share one index partition (1 Query)."""
        needs: list[NeedRecord] = []
        projects: list[ProjectRecord] = []
        for item in Item.by_parent.query(lists_pk(community_id), limit=LIST_LIMIT):
            if isinstance(item, ProjectItem):
                projects.append(project_record(item))
            elif isinstance(item, NeedItem):
                needs.append(need_record(item))
        return needs, projects

    @bound
    def open_projects(self, street_id: str, first: int, after: str | None) -> Page[ProjectRecord]:
        """Projects open for claims in a street, newest first (gsi2 ``PROJECTS#<street>``)."""
        return query_page(
            ProjectItem,
            self.db.codec,
            street_projects_pk(street_id),
            index="gsi2",
            range_key_condition=ProjectItem.gsi2sk.startswith(f"{ProjectState.OPEN.value}#"),
            first=first,
            after=after,
            scan_forward=False,
        ).map(project_record)

    def change_project(self, change: ProjectChange) -> ProjectRecord:
        """The project put at the version read (claims race it), its claims and postings."""
        with self.db.transaction() as tx:
            item = project_item(change.project)
            tx.save(item)
            for claim in change.claims:
                tx.update(
                    _keyed(ClaimItem, claim_key(claim.project_id, claim.partner_id), claim.version),
                    actions=[
                        ClaimItem.status.set(claim.status.value),
                        ClaimItem.withdrawn_at.set(claim.withdrawn_at)
                        if claim.withdrawn_at
                        else ClaimItem.withdrawn_at.remove(),
                        ClaimItem.points.set(claim.points)
                        if claim.points is not None
                        else ClaimItem.points.remove(),
                    ],
                    add_version_condition=False,
                )
            for posting in change.postings:
                add_posting(tx, posting)
            add_counts(tx, change.counted)
        return project_record(item)

    # --- claims ----------------------------------------------------------------------------

    @bound
    def claim(self, project_id: str, partner_id: str) -> ClaimRecord | None:
        return _read(ClaimItem, claim_key(project_id, partner_id), True, claim_record)

    @bound
    def claims(self, project_id: str) -> list[ClaimRecord]:
        """A project's claims (one consistent Query on its partition)."""
        return [
            claim_record(item)
            for item in ClaimItem.query(
                project_key(project_id)[0], ClaimItem.sk.startswith("CLAIM#"), consistent_read=True
            )
        ]

    @bound
    def claims_of(self, projects: Sequence[ProjectRecord]) -> dict[str, list[ClaimRecord]]:
        """The claims of many projects: one BatchGetItem per 100 claims (a Query only for a
        project written before it carried its claimants' ids)."""
        return _children(
            ClaimItem,
            {p.id: p.claimant_ids for p in projects},
            claim_key,
            claim_record,
            self.claims,
        )

    @bound
    def partner_claims(self, partner_id: str, first: int, after: str | None) -> Page[ClaimRecord]:
        """A partner's claims, newest first (gsi1 ``PCLAIMS#<partner>``)."""
        return query_page(
            ClaimItem,
            self.db.codec,
            partner_claims_pk(partner_id),
            index="gsi1",
            first=first,
            after=after,
            scan_forward=False,
        ).map(claim_record)

    def add_claim(self, change: NewClaim) -> ClaimRecord:
        claim, project, partner = change.claim, change.project, change.partner
        state = ProjectState.FULLY_CLAIMED if change.last_slot else ProjectState.OPEN
        slots = (ProjectItem.slots_left == 1) if change.last_slot else (ProjectItem.slots_left > 1)
        community_path = "/" + "/".join(path_ids(project.unit_path)[:3])
        with self.db.transaction() as tx:
            item = claim_item(claim)
            # A put over an existing (withdrawn) claim is conditioned on its version too.
            tx.save(
                item,
                condition=ClaimItem.pk.does_not_exist()
                | (ClaimItem.status == ClaimStatus.WITHDRAWN.value),
            )
            tx.update(
                _keyed(ProjectItem, project_key(project.id), project.version),
                actions=[
                    ProjectItem.claimed.add(1),
                    ProjectItem.slots_left.add(-1),
                    ProjectItem.state.set(state.value),
                    ProjectItem.gsi2sk.set(
                        project_gsi2sk(state.value, project.created_at, project.id)
                    ),
                    ProjectItem.updated_at.set(claim.claimed_at),
                    ProjectItem.claimant_ids.add({partner.id}),
                ],
                condition=(ProjectItem.state == ProjectState.OPEN.value) & slots,
                add_version_condition=False,
            )
            # Only an approved partner claims; the community it now works for sees its
            # contacts (a set: no read needed). One operation per item in a transaction, so
            # the status condition rides on this update.
            tx.update(
                _keyed(PartnerItem, partner_key(partner.id), partner.version),
                actions=[PartnerItem.served_paths.add({community_path})],
                condition=PartnerItem.status == PartnerStatus.APPROVED.value,
                add_version_condition=False,
            )
            add_counts(tx, change.counted)
        return claim_record(item)

    def withdraw_claim(self, change: ClaimWithdrawal) -> ClaimRecord:
        claim, project = change.claim, change.project
        open_key = project_gsi2sk(ProjectState.OPEN.value, project.created_at, project.id)
        withdrawable = (ProjectState.OPEN.value, ProjectState.FULLY_CLAIMED.value)
        with self.db.transaction() as tx:
            item = _keyed(ClaimItem, claim_key(claim.project_id, claim.partner_id), claim.version)
            tx.update(
                item,
                actions=[
                    ClaimItem.status.set(ClaimStatus.WITHDRAWN.value),
                    ClaimItem.withdrawn_at.set(change.at),
                ],
                condition=ClaimItem.status == ClaimStatus.ACTIVE.value,
                add_version_condition=False,
            )
            tx.update(
                _keyed(ProjectItem, project_key(project.id), project.version),
                actions=[
                    ProjectItem.claimed.add(-1),
                    ProjectItem.slots_left.add(1),
                    ProjectItem.state.set(ProjectState.OPEN.value),
                    ProjectItem.gsi2sk.set(open_key),
                    ProjectItem.updated_at.set(change.at),
                ],
                condition=ProjectItem.state.is_in(*withdrawable),
                add_version_condition=False,
            )
        return replace(
            claim, status=ClaimStatus.WITHDRAWN, withdrawn_at=change.at, version=claim.version + 1
        )

    def report_delivery(self, change: DeliveryReport) -> ClaimRecord:
        with self.db.transaction() as tx:
            item = claim_item(change.claim)
            tx.save(item)
            # The version read: two last reports cannot both count.
            tx.save(project_item(change.project))
            add_counts(tx, change.counted)
        return claim_record(item)

    # --- awards (红色创新奖) ------------------------------------------------------------------

    @bound
    def award(self, district_id: str, year: int, partner_id: str) -> AwardRecord | None:
        return _read(AwardItem, award_key(district_id, year, partner_id), True, award_record)

    @bound
    def awards(self, district_id: str, year: int) -> list[AwardRecord]:
        pk = award_key(district_id, year, "")[0]
        return [award_record(item) for item in AwardItem.query(pk)]

    @bound
    def nominate(self, award: AwardRecord) -> AwardRecord:
        """A nomination (one item, put if absent)."""
        item = award_item(award)
        item.save(condition=AwardItem.pk.does_not_exist())
        return award_record(item)

    def decide_award(self, change: AwardDecision) -> AwardRecord:
        with self.db.transaction(msg("conflict.award_decided")) as tx:
            item = award_item(change.award)
            tx.save(item)
            add_posting(tx, change.posting)
            add_counts(tx, change.counted)
        return award_record(item)
