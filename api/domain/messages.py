"""Every message the API shows people, in Chinese and English, from one catalogue.

A message is an id from ``CATALOGUE`` plus named parameters (``msg("case.no_department",
department_id=…)``); it is rendered in the caller's language only at the boundary (mutation
payloads, GraphQL errors, HTTP error bodies, stored texts read back through GraphQL). Chinese is
the default; English is given on request (``Accept-Language``, see ``api/language.py``). Error
codes stay stable whatever the language.

Templates use ``str.format`` fields; both languages of an id name exactly the same fields (a unit
test checks it). A parameter that is itself a ``Message`` is rendered in the same language.

Texts the code composes for storage (a topic's decision reason, system timeline notes) are stored
language-neutral with ``encode`` (a control-character prefix people cannot type, see
``api/domain/text.py``, then the id and parameters as JSON) and shown with ``stored_text``; a
stored text without the prefix (old rows, text typed by people) is shown as it is.

To add a message: add the id with both templates to ``CATALOGUE`` and raise
``InvalidInput(msg("the.id", …))``; never a raw string.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass, field
from enum import Enum, StrEnum
from typing import Any


class Language(StrEnum):
    ZH = "zh"
    EN = "en"


DEFAULT_LANGUAGE = Language.ZH

# The prefix of a stored message: a control character (free text refuses those) and a tag.
STORED_PREFIX = "\x1emsg:"


@dataclass(frozen=True)
class Message:
    """A catalogue id and its parameters; rendered in a language at the boundary."""

    id: str
    params: Mapping[str, Any] = field(default_factory=dict)

    def render(self, language: Language = DEFAULT_LANGUAGE) -> str:
        templates = CATALOGUE.get(self.id)
        if templates is None:  # a bug (the completeness test catches it): show the id
            return self.id
        template = templates[0] if language is Language.ZH else templates[1]
        values = {name: _value(v, language) for name, v in self.params.items()}
        return template.format(**values)

    def __str__(self) -> str:
        return self.render(DEFAULT_LANGUAGE)


def msg(message_id: str, /, **params: Any) -> Message:
    """The message ``message_id`` with its parameters (rendered later, in the caller's language)."""
    return Message(message_id, params)


def joined(parts: list[Message]) -> Message:
    """Several messages as one, separated as each language separates clauses."""
    result = parts[-1]
    for part in reversed(parts[:-1]):
        result = msg("text.joined", first=part, rest=result)
    return result


def _value(value: Any, language: Language) -> Any:
    if isinstance(value, Message):
        return value.render(language)
    if isinstance(value, Enum):
        return value.value
    return value


# --- stored texts ---------------------------------------------------------------------------


def encode(message: Message) -> str:
    """The language-neutral form of a message, for storage."""
    return STORED_PREFIX + json.dumps(
        {"id": message.id, "p": _plain(message.params)}, ensure_ascii=False, sort_keys=True
    )


def decode(stored: str) -> Message | None:
    """The message a stored text holds; None for plain text (or a damaged encoding)."""
    if not stored.startswith(STORED_PREFIX):
        return None
    try:
        data = json.loads(stored[len(STORED_PREFIX) :])
        message_id, params = data["id"], data["p"]
    except (ValueError, KeyError, TypeError):
        return None
    if (
        not isinstance(message_id, str)
        or message_id not in CATALOGUE
        or not isinstance(params, dict)
    ):
        return None
    return Message(message_id, _revive(params))


def stored_text(stored: str, language: Language = DEFAULT_LANGUAGE) -> str:
    """A stored text as the reader sees it: a stored message rendered, plain text as it is."""
    message = decode(stored)
    if message is None:
        return stored
    try:
        return message.render(language)
    except (KeyError, IndexError, ValueError):  # parameters of another catalogue version
        return stored


def _plain(params: Mapping[str, Any]) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for name, value in params.items():
        if isinstance(value, Message):
            out[name] = {"$msg": value.id, "p": _plain(value.params)}
        elif isinstance(value, Enum):
            out[name] = value.value
        else:
            out[name] = value
    return out


def _revive(params: Mapping[str, Any]) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for name, value in params.items():
        if isinstance(value, dict) and isinstance(value.get("$msg"), str):
            out[name] = Message(value["$msg"], _revive(value.get("p") or {}))
        else:
            out[name] = value
    return out


# --- the catalogue: id -> (Chinese, English) ------------------------------------------------

CATALOGUE: dict[str, tuple[str, str]] = {
    # action
    "action.archive_units": ("归档单位", "archive units"),
    "action.award_partners": ("表彰合伙人", "award partners"),
    "action.change_status_of": ("更改状态", "change the status of"),
    "action.change_time_limits": ("修改时限或工作日历", "change time limits or the calendar"),
    "action.create_projects": ("创建项目", "create projects"),
    "action.create_units": ("新建单位", "create units"),
    "action.edit_grid_details": ("编辑网格信息", "edit grid details"),
    "action.enter_offline_ballots": ("录入入户表决票", "enter offline ballots"),
    "action.grant_roles": ("授予角色", "grant roles"),
    "action.merge_topics": ("合并议题", "merge topics"),
    "action.moderate": ("审核", "moderate"),
    "action.move_units": ("移动单位", "move units"),
    "action.nominate": ("提名", "nominate"),
    "action.open_votes": ("开始表决", "open votes"),
    "action.publish_needs": ("发布需求", "publish needs"),
    "action.record_investigations": ("记录调查情况", "record investigations"),
    "action.register_clients": ("注册接入系统", "register API clients"),
    "action.register_people": ("登记人员", "register people"),
    "action.rename_units": ("重命名单位", "rename units"),
    "action.revoke_roles": ("撤销角色", "revoke roles"),
    "action.see_archived_units": ("查看已归档单位", "see archived units"),
    "action.see_cases": ("查看事项", "see cases"),
    "action.see_clients": ("查看接入系统", "see API clients"),
    "action.see_command_centre": ("查看指挥中心的数据", "see the command centre's figures"),
    "action.see_residents": ("查看居民", "see residents"),
    "action.see_role_grants": ("查看角色授予", "see role grants"),
    "action.see_webhooks": ("查看 Webhook", "see webhooks"),
    "action.set_vote_rules": ("设置议事表决规则", "set topic vote rules"),
    "action.subscribe_webhooks": ("订阅 Webhook", "subscribe webhooks"),
    # actor
    "actor.forbidden_here": ("您无权在此{what}", "You may not {what} here"),
    "actor.not_registered": ("登录的用户尚未登记", "The signed-in person is not registered"),
    "actor.sign_in": ("请先登录", "Sign in to do this"),
    # announce
    "announce.case_assigned": (
        "案件已派至本单位：{summary}",
        "A case was assigned to your unit: {summary}",
    ),
    "announce.case_reported": (
        "新的群众诉求：{summary}",
        "A new report from a resident: {summary}",
    ),
    "announce.delivery_recorded": (
        "项目「{project}」的交付已记录",
        "The delivery of the project \u201c{project}\u201d was recorded",
    ),
    "announce.partner_claimed": (
        "{partner} 认领了项目「{project}」",
        "{partner} claimed the project \u201c{project}\u201d",
    ),
    "announce.report_accepted": ("您反映的问题已受理", "Your report was accepted"),
    "announce.report_closed": ("您反映的问题已结案", "Your report was closed"),
    "announce.report_rejected": ("您反映的问题不予受理", "Your report was not accepted"),
    "announce.report_resolved": (
        "您反映的问题已办结，请评价",
        "Your report was resolved; please rate the result",
    ),
    "announce.to_reporter": ("{what}（{code}）", "{what} ({code})"),
    # attachment
    "attachment.already_attached": ("该文件已附加", "The file is attached already"),
    "attachment.content_mismatch": (
        "文件内容不是声明的 {kind} 格式",
        "The file's content is not the declared {kind} format",
    ),
    "attachment.daily_limit": (
        "今日上传次数已达上限（{max_uploads_per_person_per_day} 次）",
        "Today's upload limit is reached ({max_uploads_per_person_per_day} uploads)",
    ),
    "attachment.daily_limit_reached": ("今日上传次数已达上限", "Daily upload limit reached"),
    "attachment.file_not_found": ("找不到该文件", "No such file"),
    "attachment.kind_forbidden": (
        "您无权为该对象添加此类文件",
        "You may not attach this kind of file to this item",
    ),
    "attachment.not_uploaded": (
        "文件尚未上传，或未上传到指定位置",
        "The file has not been uploaded, or not to the place given",
    ),
    "attachment.not_yours": (
        "不能附加他人上传的文件",
        "You cannot attach a file someone else uploaded",
    ),
    "attachment.removal_reason": (
        "请填写 1–200 字的删除原因",
        "Give a reason for the removal of 1–200 characters",
    ),
    "attachment.replaced": (
        "文件在检查期间被替换，请重新附加",
        "The file was replaced while it was checked; attach it again",
    ),
    "attachment.staff_only": (
        "只有负责的工作人员可以管理该文件",
        "Only the staff in charge may manage this file",
    ),
    "attachment.target_not_found": (
        "找不到该对象，或您无权查看",
        "No such item, or you may not see it",
    ),
    "attachment.too_many": (
        "每个对象最多 {max_files_per_target} 个文件",
        "At most {max_files_per_target} files per item",
    ),
    "attachment.upload_expired": (
        "上传已过期，请重新上传",
        "The upload has expired; please upload again",
    ),
    "attachment.upload_not_found": ("找不到该上传", "No such upload"),
    # auth
    "auth.bad_header": (
        "Authorization 请求头应为 'Bearer <令牌>'",
        "The Authorization header must be 'Bearer <token>'",
    ),
    "auth.invalid_token": ("令牌无效，请重新登录", "The token is not valid; please sign in again"),
    "auth.lifetime_too_long": (
        "令牌有效期超过 {value} 小时，不予接受",
        "Tokens valid for more than {value} hours are not accepted",
    ),
    "auth.no_issuer": (
        "此环境未配置令牌签发方",
        "No token issuer is configured for this environment",
    ),
    "auth.no_subject": ("令牌缺少用户标识（sub）", "The token has no subject (sub)"),
    "auth.token_expired": ("令牌已过期，请重新登录", "The token has expired; please sign in again"),
    "auth.unknown_key": ("令牌的签名密钥未知", "The token's signing key is unknown"),
    # calendar
    "calendar.day_twice": ("某一天重复出现", "A day is given twice"),
    "calendar.naive_periods": (
        "工作时段为当地时间，不带时区",
        "Working periods are local wall times without a time zone",
    ),
    "calendar.no_days": ("请给出要设置或删除的日期", "Give days to set or to remove"),
    "calendar.no_periods": ("请至少给出一个工作时段", "Give at least one working period"),
    "calendar.override_key": (
        "调整表的键应为日期，而不是 {day!r}",
        "Override keys are dates, not {day!r}",
    ),
    "calendar.period_order": (
        "工作时段的结束须晚于开始（{start}–{end}）",
        "A working period must end after it starts ({start}–{end})",
    ),
    "calendar.periods_overlap": (
        "工作时段须按先后排列，且不能重叠",
        "Working periods must be in order and must not overlap",
    ),
    "calendar.too_many_days": (
        "一次最多 {max_overrides} 天",
        "At most {max_overrides} days at once",
    ),
    "calendar.year_range": (
        "日期应在 {first} 年至 {last} 年之间",
        "Dates must be between the years {first} and {last}",
    ),
    # case
    "case.assignee_needed": (
        "派遣到{level}一级须指定承办单位",
        "An assignee is needed at {level} level",
    ),
    "case.attachment_key": (
        "附件键须为 1 到 300 个字符",
        "An attachment key must be 1–300 characters",
    ),
    "case.attachment_type": (
        "不接受附件类型 {content_type!r}",
        "Attachment type {content_type!r} is not accepted",
    ),
    "case.caller_clients_only": (
        "只有接入系统可以代来电人上报",
        "Only API clients report on behalf of a caller",
    ),
    "case.caller_name_length": (
        "来电人姓名须为 1 到 {max_caller_name} 个字",
        "A caller's name has 1 to {max_caller_name} characters",
    ),
    "case.concurrent_change": (
        "他人同时处理了事项 {code}（{last}），其当前状态为 {state}：请刷新",
        "Someone else acted on case {code} at the same "
        "moment ({last}); it is now {state}: reload it",
    ),
    "case.coordinates_pair": (
        "请同时填写纬度和经度，或都不填",
        "Give both latitude and longitude, or neither",
    ),
    "case.department_archived": ("部门 {unit_name} 已归档", "Department {unit_name} is archived"),
    "case.department_staff_only": (
        "只有在此事项中有任务的部门的工作人员可以执行此操作",
        "Only staff of a department with a task on this case can do this",
    ),
    "case.departments_distinct": ("部门不能重复", "Departments must be distinct"),
    "case.departments_only_district": (
        "只有派遣到区级（DISTRICT）时才指定部门",
        "Departments are assigned only at DISTRICT level",
    ),
    "case.district_dispatchers_only": (
        "只有区级调度员可以将事项派到区级",
        "Only the district's dispatchers send a case to the district",
    ),
    "case.duplicate_missing": ("所重复的事项不存在", "The case this duplicates does not exist"),
    "case.escalate_one_level": (
        "升级只能上升一级，到 {expected}",
        "Escalation goes one level up, to {expected}",
    ),
    "case.exists_already": (
        "具有此幂等键或编号的事项已存在",
        "A case with this idempotency key or code exists already",
    ),
    "case.external_ref_clients_only": (
        "只有接入系统可以填写外部工单号",
        "Only API clients give an external ticket number",
    ),
    "case.external_ref_reused": (
        "外部工单 {system}:{id} 已对应另一内容的事项",
        "External ticket {system}:{id} already belongs to a case with other content",
    ),
    "case.external_system": (
        "系统名须为 1 到 32 个字母、数字或 ._-",
        "A system name has 1 to 32 letters, digits or ._-",
    ),
    "case.external_ticket": (
        "工单号须为 1 到 64 个字母、数字或 ._:/-",
        "A ticket number has 1 to 64 letters, digits or ._:/-",
    ),
    "case.handling_unit_only": (
        "只有承办此事项的单位可以执行此操作",
        "Only the unit handling this case can do this",
    ),
    "case.hotline_only": (
        "只有管辖本网格的热线接线员可以以热线渠道上报",
        "Only hotline operators with a scope over this grid report as HOTLINE",
    ),
    "case.hours_range": ("小时数应在 1 到 2160 之间", "hours must be between 1 and 2160"),
    "case.inbox_forbidden": ("您无权查看此待办", "You may not see this inbox"),
    "case.latitude_range": ("纬度应在 -90 到 90 之间", "latitude must be between -90 and 90"),
    "case.lead_or_dispatchers": (
        "只有牵头部门或区级调度员可以执行此操作",
        "Only the lead department or the district's dispatchers can do this",
    ),
    "case.leader_only_top": (
        "只有顶格调度（TOP）时才由领导包案",
        "A leader owns a case only at TOP level",
    ),
    "case.leader_or_dispatchers": (
        "只有包案领导或区级调度员可以执行此操作",
        "Only the owning leader or the district's dispatchers can do this",
    ),
    "case.leader_ticks_off": (
        "只有包案领导可以对单销号",
        "Only the leader who owns the case (包案) can tick it off",
    ),
    "case.list_scope": (
        "请选择区、街道、社区或网格来列出事项",
        "List cases of a district, street, community or grid",
    ),
    "case.location_archived": ("该位置已归档", "The location is archived"),
    "case.location_level": (
        "事项须位于网格、楼院或住户",
        "A case is located in a grid, building or household",
    ),
    "case.longitude_range": ("经度应在 -180 到 180 之间", "longitude must be between -180 and 180"),
    "case.name_lead_department": (
        "请指定此事项的牵头部门",
        "Name the lead department for this case",
    ),
    "case.name_leader": ("请指定包案的区领导", "Name the district leader who owns the case (包案)"),
    "case.no_department": (
        "本区没有部门 {department_id}",
        "No department {department_id} in this district",
    ),
    "case.no_dispatch": ("您无权派遣此事项", "You may not dispatch this case"),
    "case.not_a_leader": ("此人不是本区的领导", "That person is not a leader of this district"),
    "case.not_found": ("您的管辖范围内没有这个事项", "No such case in your scope"),
    "case.not_under_grid": (
        "{location_name} 不在任何{grid}之下",
        "{location_name} is not under a {grid}",
    ),
    "case.patrol_staff_only": (
        "只有本网格的工作人员可以巡查上报",
        "Only staff of this grid report on patrol",
    ),
    "case.reported_range": ("reportedFrom 晚于 reportedTo", "reportedFrom is after reportedTo"),
    "case.reporter_evaluates": (
        "只有反映人可以评价办理结果",
        "Only the reporter can evaluate the result",
    ),
    "case.supporting_need_lead": (
        "有配合部门时须指定牵头部门",
        "Supporting departments need a lead",
    ),
    "case.supporting_only_joint": (
        "只有联办事项才有配合部门",
        "Only a joint case (联办) has supporting departments",
    ),
    "case.too_many_attachments": (
        "最多 {max_attachments} 个附件",
        "At most {max_attachments} attachments",
    ),
    "case.topic_channel": (
        "议题转办的事项在议题通过时自动创建",
        "Cases from topics are created when a topic is adopted",
    ),
    "case.unit_inbox_forbidden": ("您无权查看该单位的待办", "You may not see this unit's inbox"),
    "case.unknown_category": (
        "未知的事项类别 {code!r}；可选：{join}",
        "Unknown category {code!r}; known: {join}",
    ),
    "case.why_no_claimed_task": (
        "部门 {department} 没有已认领的任务",
        "department {department} has no claimed task",
    ),
    "case.why_no_level_above": ("没有更高的层级", "no level above"),
    "case.why_no_open_task": (
        "部门 {department} 没有待认领的任务",
        "no open task for department {department}",
    ),
    "case.verification_pending": (
        "案件办结后须先经核查，核查通过后方可评价或结案",
        "A resolved case must pass verification before it is evaluated or closed",
    ),
    "case.evaluation_pending": (
        "须待群众评价或评价期满后方可结案",
        "The case can close only after the resident's evaluation or the end of its window",
    ),
    "case.verifier_scope": (
        "只有社区及以上的调度人员（指挥中心）可以核查该案件",
        "Only dispatch staff of the community or above (the command centre) may verify this case",
    ),
    "case.verifier_resolved": (
        "办理人不能核查自己办结的案件",
        "A handler cannot verify a case they resolved",
    ),
    "case.closed_not_evaluated": (
        "评价期满，群众未评价，系统按未评价结案",
        "The evaluation window ended without an evaluation; closed as not evaluated",
    ),
    # client
    "client.invalid_key": ("API 密钥无效", "API key is not valid"),
    "client.name_length": (
        "名称须为 1 到 {max_name} 个字",
        "A name has 1 to {max_name} characters",
    ),
    "client.no_client_management": (
        "接入系统不能管理接入系统",
        "An API client cannot manage API clients",
    ),
    "client.no_client_registration": (
        "接入系统不能注册其他接入系统",
        "An API client cannot register other API clients",
    ),
    "client.no_scopes": ("请至少选择一个权限范围", "Choose at least one scope"),
    "client.not_found": ("没有这个接入系统", "No such API client"),
    "client.rate_range": (
        "每分钟请求上限须在 1 到 {max_rate_per_minute} 之间",
        "The requests-per-minute limit must be between 1 and {max_rate_per_minute}",
    ),
    "client.revoked": ("接入系统已被吊销", "The API client has been revoked"),
    "client.unknown_scopes": ("未知的权限范围：{join}", "Unknown scopes: {join}"),
    # conflict
    "conflict.api_client": ("接入系统已被他人修改", "The API client was changed by someone else"),
    "conflict.attachment": ("附件已被他人修改", "The attachment was changed by someone else"),
    "conflict.award_decided": ("表彰同时已被决定", "The award was decided at the same time"),
    "conflict.calendar": (
        "工作日历同时被修改，请重新发布",
        "The calendar changed at the same time; publish again",
    ),
    "conflict.case_fired": (
        "事项已变化，或此次触发已处理",
        "The case changed or this firing was applied already",
    ),
    "conflict.case_named": (
        "事项 {code} 同时被他人修改，请刷新后重试",
        "Case {code} was changed by someone else at the same time; reload and retry",
    ),
    "conflict.comment": ("评论同时被修改", "The comment changed meanwhile"),
    "conflict.deadline_fired": (
        "时限或事项已变化，或此次触发已处理",
        "The deadline or the case changed, or this firing was applied",
    ),
    "conflict.item": ("该条目已被他人修改", "The item was changed by someone else"),
    "conflict.need_taken": (
        "某个需求同时被放入了另一个项目",
        "A need was put in another project at the same time",
    ),
    "conflict.partner_named": (
        "{partner_name} 同时被修改，请重试",
        "{partner_name} was changed at the same time; retry",
    ),
    "conflict.policy_version": (
        "他人同时保存了新的时限版本",
        "Someone else saved a new policy version at the same time",
    ),
    "conflict.role_revoked": ("该角色已被他人撤销", "The role was revoked by someone else"),
    "conflict.subscription": ("订阅已被他人修改", "The subscription was changed by someone else"),
    "conflict.topic": ("议题同时被修改", "The topic changed meanwhile"),
    "conflict.topic_closing": ("议题在结束表决时被修改", "The topic changed while closing"),
    "conflict.topic_linked": ("该议题已关联到事项", "The topic was linked to its case already"),
    "conflict.topic_reload": (
        "议题同时被修改，请刷新后重试",
        "The topic changed meanwhile; reload and retry",
    ),
    "conflict.upload_or_target": ("上传或所属对象已变化", "The upload or the target changed"),
    "conflict.vote_or_topic": ("投票或议题同时被修改", "The vote or the topic changed meanwhile"),
    # export (CSV exports)
    "export.not_found": ("找不到该导出任务", "No such export job"),
    "export.day_needed": ("请给出时段所在的日期 day", "Give the day of the period (day)"),
    "export.figures_period": (
        "指标导出须给出统计时段 period",
        "A figures export needs a period",
    ),
    "export.period_or_range": (
        "请给出统计时段 period，或上报起止日期 reportedFrom 与 reportedTo",
        "Give a period, or the report dates reportedFrom and reportedTo",
    ),
    "export.range_reversed": (
        "上报起始日期晚于截止日期",
        "reportedFrom is after reportedTo",
    ),
    "export.range_too_long": (
        "导出的日期范围不能超过 {days} 天",
        "An export covers at most {days} days",
    ),
    "export.figures_filters": (
        "指标导出不按状态、类别或层级筛选",
        "A figures export takes no state, category or level filter",
    ),
    "export.forbidden": (
        "无权导出该单位的案件或指标",
        "You may not export this unit's cases or figures",
    ),
    "export.abandoned": (
        "导出超过 20 分钟仍未完成，已放弃，请重新导出",
        "The export did not finish within 20 minutes and was abandoned; please export again",
    ),
    "export.lost_right": (
        "导出人已无权查看该单位的案件，导出失败",
        "The requester may no longer read this unit's cases; the export failed",
    ),
    "export.date_format": (
        "{field} 须为日期，如 2026-11-23",
        "{field} must be a date, e.g. 2026-11-23",
    ),
    "export.key_taken": ("此幂等键刚被使用", "This idempotency key was just used"),
    "export.changed": ("导出任务已被修改", "The export job changed meanwhile"),
    # figures
    "figures.custom_period": (
        "自定义时段须给出结束日期，且不超过一年",
        "A custom period needs an end date and is at most one year long",
    ),
    "figures.departments_district": (
        "部门考核须在区一级",
        "Department assessment is at district level",
    ),
    "figures.recount_admin_only": (
        "只有区级管理员可以重算统计",
        "Only district administrators can recount the figures",
    ),
    "figures.trend_grain": ("趋势须按日、周、月或年", "A trend is by day, week, month or year"),
    "figures.trend_length": (
        "趋势为 1 至 {max_trend} 个时段",
        "A trend has 1 to {max_trend} periods",
    ),
    "figures.unknown_weights": (
        "未知的考核权重版本：{version}",
        "Unknown weighting version: {version}",
    ),
    # graphql
    "graphql.ambiguous_operation": (
        "请求包含多个操作，请用 operationName 指明要执行哪一个",
        "The request holds several operations: name the one to run with operationName",
    ),
    "graphql.client_fields": (
        "此接入系统无权调用：{fields}",
        "This API client may not call: {fields}",
    ),
    "graphql.introspection_disabled": (
        "此环境未开放 GraphQL 内省（introspection）",
        "GraphQL introspection is not open in this environment",
    ),
    "graphql.too_costly": (
        "查询成本 {cost} 超出预算 {budget}：请减少 first 的数量、嵌套层级或别名",
        "The query costs {cost}, over the budget of {budget}: ask "
        "for fewer items (first), less nesting or fewer aliases",
    ),
    # grid_application (入格申请)
    "grid_application.not_registered": (
        "你尚未登记，无法申请入格",
        "You are not registered yet and cannot apply to join a grid",
    ),
    "grid_application.idempotency_key": (
        "幂等键须为 1–{max_length} 个字符",
        "The idempotency key must be 1–{max_length} characters",
    ),
    "grid_application.already_resident": ("你已是该网格的居民", "You already live in this grid"),
    "grid_application.already_open": (
        "你已有一份待审核的入格申请，请等待审核结果",
        "You already have an application waiting for a decision",
    ),
    "grid_application.not_found": ("没有这份入格申请", "No such grid application"),
    "grid_application.own": (
        "不能审核自己的入格申请",
        "You cannot decide your own application",
    ),
    "grid_application.may_not_decide": (
        "你无权审核这份入格申请",
        "You may not decide this application",
    ),
    "grid_application.applicant_changed": (
        "申请人的资料刚被修改，请重试",
        "The applicant's record has just changed; please try again",
    ),
    "grid_application.decided": (
        "这份申请已审核（{state}），不能再次审核",
        "This application has been decided ({state}) and cannot be decided again",
    ),
    "grid_application.decided_elsewhere": (
        "这份申请已被他人审核",
        "The application was decided by someone else",
    ),
    "grid_application.state.applied": ("待审核", "waiting"),
    "grid_application.state.approved": ("已通过", "approved"),
    "grid_application.state.rejected": ("已驳回", "rejected"),
    "grid_application.applicant_gone": ("申请人已不存在", "The applicant no longer exists"),
    "grid_application.applicant_resident": (
        "申请人已是该网格的居民，请驳回这份申请",
        "The applicant already lives in this grid; reject the application",
    ),
    "grid_application.home_archived": (
        "申请的住所单元已撤销，请驳回这份申请",
        "The home unit applied for has been archived; reject the application",
    ),
    "grid_application.may_not_list": (
        "你无权查看这里的入格申请",
        "You may not see the grid applications here",
    ),
    "grid_application.grid_or_community": ("请选择一个网格或社区", "Choose a grid or a community"),
    "grid_application.grid": ("请选择一个网格", "Choose a grid"),
    "grid_application.grid_archived": ("该网格已撤销", "This grid has been archived"),
    "grid_application.home_outside": (
        "住所须为该网格内的楼院或中心户",
        "The home must be a building or household inside this grid",
    ),
    "grid_application.home_unit_archived": ("该住所单元已撤销", "This home unit has been archived"),
    # http
    "http.body_not_json": ("请求体不是有效的 JSON", "The request body is not valid JSON"),
    "http.body_not_object": (
        "请求体应为 JSON 对象（不支持批量请求）",
        "The request body must be a JSON object (batches are not supported)",
    ),
    "http.body_too_large": ("请求体超过 {limit} 字节", "The request body exceeds {limit} bytes"),
    "http.body_utf8": ("请求体不是有效的 UTF-8", "The request body is not valid UTF-8"),
    "http.json_too_deep": (
        "JSON 嵌套超过 {limit} 层",
        "The JSON is nested more than {limit} levels deep",
    ),
    "http.key_and_token": (
        "请只提供 X-Api-Key 或 Authorization 之一，不要同时提供",
        "Send either X-Api-Key or Authorization, not both",
    ),
    "http.list_too_long": ("列表最多 {limit} 项", "A list has at most {limit} items"),
    "http.operation_name_not_string": (
        "operationName 应为字符串",
        "operationName must be a string",
    ),
    "http.operator_invalid": ("X-Operator-Id 无效", "X-Operator-Id is not valid"),
    "http.query_not_string": ("query 应为字符串", "query must be a string"),
    "http.query_string_utf8": ("查询参数不是有效的 UTF-8", "The query string is not valid UTF-8"),
    "http.query_too_long": (
        "查询文本超过 {limit} 个字符",
        "The query text exceeds {limit} characters",
    ),
    "http.too_many_requests": (
        "请求过于频繁，请稍后再试",
        "Too many requests; please try again later",
    ),
    "http.too_many_values": (
        "variables 含有超过 {limit} 个值",
        "variables holds more than {limit} values",
    ),
    "http.variables_not_object": ("variables 应为 JSON 对象", "variables must be a JSON object"),
    # id
    "id.empty_or_long": ("ID 为空或过长", "ID is empty or too long"),
    "id.invalid": (
        "ID {global_id!r} 不是有效的全局 ID",
        "ID {global_id!r} is not a valid global id",
    ),
    "id.not_attachment": ("不是附件 ID", "Not an attachment id"),
    "id.not_comment": ("不是评论 ID", "Not a comment id"),
    "id.not_notification": ("不是通知 ID", "Not a notification id"),
    "id.unknown_type": ("ID {value!r} 指向未知的类型", "ID {value!r} names an unknown type"),
    "id.wrong_type": (
        "ID {global_id!r} 属于 {type_name}，应为 {expected_type}",
        "ID {global_id!r} is a {type_name}, expected a {expected_type}",
    ),
    # input
    "input.date": ("{field} 应为日期，如 2026-11-23", "{field} must be a date like 2026-11-23"),
    "input.date_plain": ("date 应为日期，如 2026-11-23", "date must be like 2026-11-23"),
    "input.date_value": (
        "{value!r} 不是日期，应如 2027-02-06",
        "{value!r} is not a date like 2027-02-06",
    ),
    "input.idempotency_key": (
        "idempotencyKey 须为 1 到 {idempotency_key_max} 个字符，且不含 '#'",
        "idempotencyKey must be 1–{idempotency_key_max} characters without '#'",
    ),
    "input.idempotency_mismatch": (
        "此幂等键已用于另一不同的请求",
        "This idempotency key was used with a different input",
    ),
    # internal
    "internal.unexpected": (
        "服务器内部错误（请求编号 {request_id}）",
        "Unexpected error (request id {request_id})",
    ),
    # ledger
    "ledger.account_forbidden": ("您无权查看此账户", "You may not see this account"),
    "ledger.amount_range": (
        "分值不能为零，且绝对值不超过 {amount_max}",
        "An amount is non-zero and at most {amount_max} either way",
    ),
    "ledger.exchange_debits": ("兑换须扣减余额", "An exchange takes from a balance"),
    "ledger.idempotency_key": (
        "幂等键为 1 到 100 个字母、数字或 _:.-",
        "An idempotency key has 1-100 letters, digits or _:.-",
    ),
    "ledger.insufficient": (
        "余额为 {balance}，不足 {value}",
        "The balance is {balance}, less than {value}",
    ),
    "ledger.no_home_unit": ("此人没有所属单位", "The person has no home unit"),
    "ledger.only_exchange_debits": (
        "只有兑换或调整可以扣减余额",
        "Only an exchange or an adjustment takes from a balance",
    ),
    "ledger.partner_only_kinds": (
        "交付和表彰积分只属于合伙人",
        "Delivery and award points are partners' points",
    ),
    "ledger.partner_points_kinds": (
        "合伙人只通过交付和表彰获得积分",
        "Partners earn points by delivery and awards",
    ),
    "ledger.post_forbidden": ("您无权向此账户记账", "You may not post to this account"),
    "ledger.top_range": ("top 应在 1 到 100 之间", "top is between 1 and 100"),
    # level
    "level.community": ("社区", "the community"),
    "level.district": ("区级部门", "the district departments"),
    "level.grid": ("网格", "the grid"),
    "level.street": ("街道", "the street"),
    "level.top": ("顶格调度", "top-level dispatch"),
    # notification
    "notification.not_found": ("没有这条通知", "No such notification"),
    "notification.openid": ("微信 openid 无效", "Invalid WeChat openid"),
    "notification.quiet_both": (
        "请同时给出免打扰时段的开始和结束",
        "Give both ends of the quiet hours",
    ),
    "notification.quiet_format": ("免打扰时段格式为 HH:MM", "Quiet hours are HH:MM"),
    "notification.too_many_consents": (
        "此模板积存的授权次数过多",
        "Too many consents banked for this template",
    ),
    "notification.unknown_templates": ("未知的模板：{value}", "Unknown templates: {value}"),
    # org
    "org.already_archived": ("该单位已归档", "The unit is already archived"),
    "org.already_there": ("该单位已在此处", "The unit is already there"),
    "org.cycle": (
        "不能把单位移到它自身或其下级之下",
        "A unit cannot be moved under itself or its own descendant",
    ),
    "org.district_api": ("区不能通过 API {what}", "A district cannot {what} through the API"),
    "org.grid_archived": ("该网格已归档", "The grid is archived"),
    "org.grid_details_grid_only": ("只有网格有网格信息", "Only a grid has grid details"),
    "org.in_use": (
        "{name} 仍被引用（{refs} 个有效的下级单位、角色授予或居民），请先移走或归档",
        "{name} is still referred to ({refs} active children, "
        "role grants or residents); move or archive them first",
    ),
    "org.move_archived": ("已归档的单位不能移动", "An archived unit cannot be moved"),
    "org.name_control_chars": (
        "名称不能含有控制字符或格式字符",
        "A name must not contain control or format characters",
    ),
    "org.name_hash": ("名称不能含有 '#'", "Name must not contain '#'"),
    "org.name_prefix": (
        "namePrefix 最多 60 个字符，且不含 '#'",
        "namePrefix must be at most 60 characters without '#'",
    ),
    "org.new_parent_archived": ("新的上级单位已归档", "The new parent is archived"),
    "org.parent_archived": ("上级单位已归档", "The parent unit is archived"),
    "org.rename_archived": ("已归档的单位不能改名", "An archived unit cannot be renamed"),
    "org.sibling_exists": (
        "已有同名的同级单位 {name!r}",
        "A sibling named {name!r} already exists",
    ),
    "org.unit_archived": ("该单位已归档", "The unit is archived"),
    "org.unit_not_found": ("没有单位 {unit_id}", "No org unit {unit_id}"),
    "org.wrong_parent": (
        "{kind}应位于{expected}之下，而不是{got}之下",
        "A {kind} must be placed under {expected}, not under {got}",
    ),
    # page
    "page.cursor_invalid": ("游标无效", "Cursor is not valid"),
    "page.cursor_other_list": ("游标属于另一个列表", "Cursor belongs to another list"),
    "page.cursor_too_long": ("游标过长", "Cursor is too long"),
    "page.first_range": (
        "first 应在 0 到 {max_page_size} 之间",
        "first must be between 0 and {max_page_size}",
    ),
    # partner
    "partner.already_claimed": (
        "此合伙人已认领该项目",
        "The partner has claimed this project already",
    ),
    "partner.already_nominated": (
        "该合伙人本年度已被提名",
        "The partner is nominated for this year already",
    ),
    "partner.apply_scope": (
        "只能申请加入覆盖您所属单位的名录；名录的工作人员可为任何人登记",
        "You may apply only into a directory that reaches your "
        "home unit; staff of the directory register anyone",
    ),
    "partner.attachment_key": (
        "附件键须为可打印的对象键",
        "An attachment key is a printable object key",
    ),
    "partner.award_year": ("请给出表彰年份", "Give a year of the award"),
    "partner.capacity_range": (
        "名额为可认领的合伙人数：1（独占）到 {capacity_max}",
        "Capacity is how many partners may claim: 1 (exclusive) to {capacity_max}",
    ),
    "partner.category_ascii": ("类别代码须为 ASCII 字符", "A category code is ASCII"),
    "partner.category_code": (
        "类别代码由字母、数字和 '_' 组成（最多 {category_max} 个）",
        "A category is a code of letters, digits and '_' (at most {category_max})",
    ),
    "partner.claim_contention": (
        "许多合伙人正在同时认领此项目，请重试",
        "Many partners are claiming this project at once; retry",
    ),
    "partner.community_needed": ("请给出社区", "Give a community"),
    "partner.delivery_state": (
        "只有项目处于交付中（IN_DELIVERY）时才能报告交付（当前为 {state}）",
        "Delivery is reported while the project is IN_DELIVERY (it is {state})",
    ),
    "partner.directory_join": (
        "合伙人加入区名录或街道子名录",
        "Partners join the district directory or a street sub-directory",
    ),
    "partner.directory_level": (
        "名录属于区或街道",
        "A directory belongs to the district or a street",
    ),
    "partner.end_before_start": ("结束日期早于开始日期", "The end date is before the start date"),
    "partner.forbidden_action": ("您无权对此合伙人{what}", "You may not {what} this partner"),
    "partner.grid_or_community": ("请给出网格或社区", "Give a grid or a community"),
    "partner.name_prefix": (
        "名称前缀最多 60 个字符，且不含 '#'",
        "A name prefix has at most 60 characters, no '#'",
    ),
    "partner.need_in_project": (
        "需求 {title} 已在某个项目中",
        "The need {title} is in a project already",
    ),
    "partner.need_not_found": ("本社区没有这个需求", "No such need in this community"),
    "partner.need_not_found_any": ("没有这个需求", "No such need"),
    "partner.need_unit_level": (
        "需求和项目属于社区或网格",
        "Needs and projects belong to a community or a grid",
    ),
    "partner.needs_per_project": (
        "一个项目由 1 到 {needs_per_project_max} 个需求组成",
        "A project is made from 1 to {needs_per_project_max} needs",
    ),
    "partner.no_active_claim": (
        "此合伙人在该项目上没有有效的认领",
        "The partner has no active claim on this project",
    ),
    "partner.nominate_approved_only": (
        "只有已批准的合伙人可以被提名",
        "Only approved partners are nominated",
    ),
    "partner.nominate_first": (
        "请先提名该合伙人参加本年度评选",
        "Nominate the partner for this year first",
    ),
    "partner.not_approved_status": (
        "该合伙人状态为 {status}，未获批准",
        "The partner is {status}, not APPROVED",
    ),
    "partner.not_found": ("没有这个合伙人", "No such partner"),
    "partner.not_representative": ("您不代表此合伙人", "You do not act for this partner"),
    "partner.outside_directory": (
        "该项目不在此合伙人所在名录（区或街道）范围内",
        "The project is outside the partner's directory (district or street)",
    ),
    "partner.project_changed": (
        "项目同时被修改，请刷新后重试",
        "The project changed at the same time; reload and retry",
    ),
    "partner.project_changed_named": (
        "项目 {title} 同时被修改，请刷新后重试",
        "The project {title} was changed at the same time; reload and retry",
    ),
    "partner.project_full": (
        "{title} 的 {capacity} 个名额已满",
        "All {capacity} slots of {title} are taken",
    ),
    "partner.project_not_found": ("没有这个项目", "No such project"),
    "partner.project_not_open": (
        "该项目状态为 {state}，不接受认领",
        "The project is {state}, not open for claims",
    ),
    "partner.project_or_claim_changed": (
        "项目或认领同时被修改，请刷新后重试",
        "The project or claim changed at the same time; reload and retry",
    ),
    "partner.project_owner_only": (
        "只有发布此项目的社区或网格可以执行此操作",
        "Only the community or grid that owns this project may do this",
    ),
    "partner.quantity_range": (
        "数量应在 1 到 {quantity_max} 之间",
        "A quantity is between 1 and {quantity_max}",
    ),
    "partner.representative_unregistered": (
        "代表不是已登记的人员",
        "A representative is not a registered person",
    ),
    "partner.representatives_max": ("最多 5 名代表", "At most 5 representatives"),
    "partner.resources_max": (
        "一个合伙人最多列出 {resources_per_partner_max} 项资源",
        "A partner lists at most {resources_per_partner_max} resources",
    ),
    "partner.streets_district_only": (
        "只有区名录才包含街道",
        "Only a district's directory includes streets",
    ),
    "partner.title_hash": ("标题不能含有 '#'", "A title must not contain '#'"),
    "partner.too_many_attachments": (
        "最多 {attachments_max} 个附件",
        "At most {attachments_max} attachments",
    ),
    "partner.too_many_contacts": (
        "最多 {contacts_max} 个联系人",
        "At most {contacts_max} contacts",
    ),
    "partner.why_unclaimed": ("尚无合伙人认领", "no partner has claimed it"),
    "partner.withdraw_before_delivery": (
        "只有在交付开始前才能撤回认领（项目状态为 {state}）",
        "Claims can be withdrawn only before delivery starts (the project is {state})",
    ),
    "partner.withdrawn_offers_nothing": (
        "已退出的合伙人不能提供资源",
        "A withdrawn partner offers nothing",
    ),
    "partner.year_needed": ("请给出年份", "Give a year"),
    # persisted
    "persisted.bad_hash": ("sha256Hash 不是 SHA-256 值", "sha256Hash is not a SHA-256"),
    "persisted.not_allowed": (
        "此环境只执行已登记的操作",
        "Only registered operations run on this stage",
    ),
    "persisted.unsupported": ("不支持的 persistedQuery", "Unsupported persistedQuery"),
    # person
    "person.badge_members_only": (
        "只有党员可以亮身份",
        "Only party members can show the party badge",
    ),
    "person.home_archived": ("所属单位已归档", "The home unit is archived"),
    "person.not_found": ("没有这个人", "No such person"),
    "person.not_found_id": ("没有人员 {person_id}", "No person {person_id}"),
    "person.not_registered": ("您尚未登记", "You are not registered"),
    "person.phone": (
        "手机号应为 11 位大陆手机号码",
        "Phone must be an 11-digit mainland mobile number",
    ),
    "person.phone_taken": ("另一人已使用此手机号", "Another person has this phone number"),
    "person.role_held": ("此人在此已担任该角色", "The person already holds this role here"),
    "person.role_not_held": ("此人在此不担任该角色", "The person does not hold this role here"),
    # policy
    "policy.at_risk_fraction": (
        "预警比例应在 0 到 1 之间",
        "at_risk_fraction must be between 0 and 1",
    ),
    "policy.bad_default": ("{level!r} 的默认时限无效", "Bad default entry for {level!r}"),
    "policy.default_twice": ("某层级的默认时限重复给出", "A level's default is given twice"),
    "policy.hours_range": (
        "时限应在 {hours_min} 至 {hours_max} 小时之间",
        "A time limit must be between {hours_min} and {hours_max} hours",
    ),
    "policy.missing_defaults": (
        "每个层级都须有默认时限；缺少：{join}",
        "Every level needs a default limit; missing: {join}",
    ),
    "policy.not_a_number": ("{name} 应为数字", "{name} must be a number"),
    "policy.per_district": ("时限按区设置", "Time limits are set per district"),
    "policy.resolve_before_response": (
        "办结时限不能短于响应时限",
        "The resolve limit must not be shorter than the response limit",
    ),
    "policy.rule_category": (
        "规则 {key!r}：类别应为类别代码或 '*'",
        "Rule {key!r}: category must be a code or '*'",
    ),
    "policy.rule_key": (
        "规则键应为（类别, 办理方式, 层级），而不是 {key!r}",
        "A rule key is (category, mode, level), not {key!r}",
    ),
    "policy.rule_level": ("规则 {key!r}：层级无效", "Rule {key!r}: level must be a Level"),
    "policy.rule_matches_all": (
        "规则 {key!r} 匹配该层级的全部事项：请改设该层级的默认时限",
        "Rule {key!r} matches everything at its level: set the level's default instead",
    ),
    "policy.rule_mode": (
        "规则 {key!r}：办理方式应为一种办理方式或 '*'",
        "Rule {key!r}: mode must be a handling mode or '*'",
    ),
    "policy.rule_needs_limit": ("规则 {key!r} 须给出时限", "Rule {key!r} needs a Limit"),
    "policy.rule_twice": (
        "{category}/{mode}/{level} 有两条规则",
        "Two rules for {category}/{mode}/{level}",
    ),
    "policy.unknown_unit": ("未知的计时方式 {unit!r}", "Unknown clock unit {unit!r}"),
    "policy.version_integer": ("版本号应为整数", "version must be an integer"),
    "policy.version_min": ("版本号至少为 1", "version must be at least 1"),
    "policy.flag": ("{name} 须为 true 或 false", "{name} must be true or false"),
    "policy.window_needed": (
        "要求群众评价后结案时，须设定评价期",
        "An evaluation window is needed when evaluation is required before closing",
    ),
    "policy.reminder_before_end": (
        "评价提醒须早于评价期结束",
        "The evaluation reminder must come before the window ends",
    ),
    # query
    "query.range_one_year": (
        "时间范围最长一年，且开始早于结束",
        "Give a range of at most one year, start before end",
    ),
    # text
    "text.control_chars": ("文本不能含有控制字符", "The text must not contain control characters"),
    "text.control_chars_multiline": (
        "文本不能含有控制字符（换行和制表符除外）",
        "The text must not contain control characters (other than line breaks and tabs)",
    ),
    "text.empty": ("此项不能为空", "This field must not be empty"),
    "text.joined": ("{first}；{rest}", "{first}; {rest}"),
    "text.lone_surrogate": (
        "文本含有无效的 Unicode 字符（孤立代理项）",
        "The text contains invalid Unicode characters (lone surrogates)",
    ),
    "text.too_long": ("最多 {max_length} 个字符", "At most {max_length} characters"),
    # timer
    "timer.at_risk": (
        "临期预警：案件 {case} 的{kind}时限将于 {due} 到期",
        "Deadline warning: the {kind} limit of case {case} expires at {due}",
    ),
    "timer.department_at_risk": (
        "临期预警：案件 {case} 协办单位{department}的{kind}时限将于 {due} 到期",
        "Deadline warning: the {kind} limit of supporting "
        "department {department} on case {case} expires at {due}",
    ),
    "timer.department_supervision": (
        "督办：案件 {case} 协办单位{department}超过{kind}时限（应于 {due} 前完成）",
        "Supervision: supporting department {department} "
        "missed its {kind} limit on case {case} (due by {due})",
    ),
    "timer.escalated": (
        "案件 {case} 在{level}超时，已吹哨上报至{to}",
        "Case {case} ran out of time at {level} and was escalated to {to}",
    ),
    "timer.kind_claim": ("认领", "claim"),
    "timer.kind_resolve": ("办结", "resolve"),
    "timer.kind_response": ("签收", "response"),
    "timer.no_leader": (
        "案件 {case} 需顶格调度，但本区尚无包案区领导（LEADER），请授予后自动转办",
        "Case {case} needs top-level dispatch but the district has no leader "
        "(LEADER) to own it; once the role is granted the case moves on by itself",
    ),
    "timer.pain_point": (
        "案件 {case} 区级超时未办结，列入难点问题库，提请顶格调度",
        "Case {case} was not resolved in time at district level: "
        "it enters the pain-point library for top-level dispatch",
    ),
    "timer.supervision": (
        "督办：案件 {case} 在{level}超过{kind}时限（应于 {due} 前完成）",
        "Supervision: case {case} missed its {kind} limit at {level} (due by {due})",
    ),
    "timer.unclaimed": (
        "案件 {case} 超过认领时限无部门报到，转区治理推进中心调度",
        "No department claimed case {case} in time: it goes "
        "to the district governance centre for dispatch",
    ),
    "timer.kind_evaluation": ("评价", "evaluation"),
    "timer.evaluation_reminder": (
        "您反映的问题（{label}）已办结，请于 {due} 前评价，逾期将按未评价结案",
        "The problem you reported ({label}) is resolved; please evaluate it before {due}, "
        "otherwise it will be closed as not evaluated",
    ),
    # topic
    "topic.author_only": ("只有发起人可以执行此操作", "Only the author may do this"),
    "topic.close_needs_decision": ("结束议题须给出决定", "Closing needs a decision"),
    "topic.comment_hidden": ("该评论已被隐藏", "The comment is hidden"),
    "topic.comment_hidden_already": ("该评论已被隐藏", "The comment is hidden already"),
    "topic.comment_not_found": ("没有这条评论", "No such comment"),
    "topic.comment_not_hidden": ("该评论未被隐藏", "The comment is not hidden"),
    "topic.comment_other_topic": ("不是此议题的评论", "Not a comment of this topic"),
    "topic.discussion_closed": (
        "讨论已结束：议题状态为 {state}",
        "Discussion is closed: the topic is {state}",
    ),
    "topic.exists_already": ("该议题已存在", "The topic exists already"),
    "topic.hidden": ("该议题已被隐藏，等待审核", "The topic is hidden pending moderation"),
    "topic.hidden_already": ("该议题已被隐藏", "The topic is hidden already"),
    "topic.investigation_future": ("调查日期在未来", "The investigation date is in the future"),
    "topic.liked_already": ("您已点过赞", "You like this already"),
    "topic.majority_share": (
        "通过比例（majorityShare）应不低于 0.5 且小于 1",
        "majorityShare must be at least 0.5 and below 1",
    ),
    "topic.merge_target_missing": ("要合并到的议题不存在", "No such topic to merge into"),
    "topic.merge_target_needed": ("请指定要合并到的另一议题", "Name another topic to merge into"),
    "topic.merge_target_state": (
        "只能合并到仍在讨论中的议题",
        "Merge into a topic still under discussion",
    ),
    "topic.not_eligible": (
        "只有表决开始时登记在该议题所在单位的居民可以投票",
        "Only residents registered in the topic's unit when voting opened may vote",
    ),
    "topic.not_found": ("没有这个议题", "No such topic"),
    "topic.not_hidden": ("该议题未被隐藏", "The topic is not hidden"),
    "topic.note_feasible": ("可行：{text}", "Feasible: {text}"),
    "topic.note_infeasible": ("不可行：{text}", "Not feasible: {text}"),
    "topic.note_voting_opened": (
        "表决开始：选民 {electorate} 人，法定人数 {quorum}，截止 {closes}",
        "Voting opened: electorate {electorate}, quorum {quorum}, closes {closes}",
    ),
    "topic.notice_adopted": (
        "议题通过，立项办理：{reason}",
        "The topic was adopted and becomes a case: {reason}",
    ),
    "topic.notice_declined": ("议题未通过：{reason}", "The topic was declined: {reason}"),
    "topic.notice_proposed": ("新议题：{title}", "New topic: {title}"),
    "topic.notices_forbidden": (
        "您无权查看该单位的议题通知",
        "You may not see this unit's topic notices",
    ),
    "topic.place_within_unit": (
        "请指明位置：议题所在单位内的网格、楼院或住户",
        "Name where it is: a grid, building or household within the topic's unit",
    ),
    "topic.quorum_count": (
        "法定人数（quorumCount）应在 0 到 100000 之间",
        "quorumCount must be between 0 and 100000",
    ),
    "topic.quorum_share": (
        "法定比例（quorumShare）应在 0 到 1 之间",
        "quorumShare must be between 0 and 1",
    ),
    "topic.reason_adopted": (
        "通过：赞成 {for_} 票，反对 {against} 票，弃权 {abstain} 票",
        "Adopted: for {for_}, against {against}, abstain {abstain}",
    ),
    "topic.reason_infeasible": (
        "入户调研认为不可行",
        "The door-to-door investigation found it not feasible",
    ),
    "topic.reason_no_investigation": (
        "尚无入户调研结论",
        "No door-to-door investigation has been recorded",
    ),
    "topic.reason_no_majority": (
        "多数反对或未过半：赞成 {for_} 票，反对 {against} 票",
        "No majority in favour: for {for_}, against {against}",
    ),
    "topic.reason_no_quorum": (
        "参与人数不足：{electorate} 人中 {cast} 人投票，法定人数 {quorum}",
        "Too few took part: {cast} of {electorate} voted, quorum {quorum}",
    ),
    "topic.reply_depth": (
        "回复只有一层：请回复原评论",
        "Replies are one level deep: reply to the comment",
    ),
    "topic.reply_target_missing": ("要回复的评论不存在", "No such comment to reply to"),
    "topic.report_threshold": (
        "举报阈值（reportThreshold）应在 1 到 100 之间",
        "reportThreshold must be between 1 and 100",
    ),
    "topic.reported_already": ("您已举报过", "You reported this already"),
    "topic.staff_only": (
        "只有在此指导议事的工作人员可以{what}",
        "Only the staff guiding topics here may {what}",
    ),
    "topic.unit_level": ("议题属于网格或社区", "Topics belong to a grid or a community"),
    "topic.unit_level_one": ("议题属于网格或社区", "A topic belongs to a grid or a community"),
    "topic.unit_members_only": (
        "只有该议题所在单位的居民和工作人员可以参与",
        "Only residents and staff of this topic's unit take part",
    ),
    "topic.unit_members_only_any": (
        "只有本单位的居民和工作人员可以参与其议题",
        "Only residents and staff of this unit take part in its topics",
    ),
    "topic.use_open_voting": (
        "请使用 openTopicVoting 开始表决",
        "Use openTopicVoting to open the vote",
    ),
    "topic.vote_changed": (
        "您的投票同时被修改，请刷新后重试",
        "Your vote changed at the same moment; reload and retry",
    ),
    "topic.vote_rules_level": (
        "表决规则设置在网格或以上层级",
        "Vote rules are set on a grid or above",
    ),
    "topic.voted_already": ("此人已投过票", "This person has voted already"),
    "topic.voters_notified": (
        "表决人已由另一次巡检通知",
        "The voters were notified by another sweep",
    ),
    "topic.voting_not_open": (
        "此议题不在表决中（状态 {state}）",
        "Voting is not open on this topic (state {state})",
    ),
    "topic.why_hidden": ("该议题已被审核隐藏", "the topic is hidden by moderation"),
    "topic.why_investigation_time": (
        "调查情况须在讨论或表决期间记录",
        "investigations are recorded during discussion or voting",
    ),
    "topic.why_votes_exist": ("已有投票", "votes exist"),
    "topic.window_hours": (
        "表决时长（windowHours）应在 1 到 720 小时之间",
        "windowHours must be between 1 and 720",
    ),
    # tracking
    "tracking.code_format": (
        "追踪码格式应如 SB2026-000123（最多 {code_max} 个字符）",
        "A tracking code looks like SB2026-000123 (at most {code_max} characters)",
    ),
    "tracking.number_too_long": (
        "查询码最多 {tracking_number_max} 个字符",
        "A tracking number has at most {tracking_number_max} characters",
    ),
    "tracking.rate_limited": (
        "查询过于频繁：每分钟最多 {per_minute} 次，请稍后再试",
        "Too many lookups: at most {per_minute} a minute; please try again later",
    ),
    # transition
    "transition.no_evaluation_window": ("没有进行中的评价期", "no evaluation window runs"),
    "transition.detail": ("（{why}）", " ({why})"),
    "transition.not_allowed": (
        "当前状态 {state} 下不允许执行 {action}{detail}；可执行：{allowed}",
        "{action} is not allowed in state {state}{detail}; allowed: {allowed}",
    ),
    "transition.partner_not_allowed": (
        "合伙人状态为 {status} 时不允许执行 {action}",
        "{action} is not allowed on a partner in status {status}",
    ),
    "transition.project_not_allowed": (
        "项目状态为 {state} 时不允许执行 {action}{detail}；可执行：{allowed}",
        "{action} is not allowed on a project in state {state}{detail}; allowed: {allowed}",
    ),
    # upload
    "upload.empty": ("文件为空", "The file is empty"),
    "upload.too_large": (
        "文件过大：{kind} 文件不得超过 {limit} MB",
        "The file is too large: a {kind} file must not exceed {limit} MB",
    ),
    "upload.unsupported_type": (
        "不支持的文件类型 {content_type!r}：仅接受 JPEG、PNG、HEIC 图片或 PDF",
        "Unsupported file type {content_type!r}: only "
        "JPEG, PNG and HEIC images or PDF are accepted",
    ),
    # webhook
    "webhook.delivery_changed": (
        "该投递已被修改，请重试",
        "The delivery changed meanwhile; try again",
    ),
    "webhook.delivery_not_found": ("没有这次投递", "No such delivery"),
    "webhook.delivery_sending": ("该投递正在发送中", "The delivery is being sent right now"),
    "webhook.no_events": ("请至少选择一种事件类型", "Choose at least one event type"),
    "webhook.not_found": ("没有这个 Webhook 订阅", "No such webhook subscription"),
    "webhook.unknown_events": ("未知的事件类型：{join}", "Unknown event types: {join}"),
    "webhook.url_https": ("回调地址必须使用 https", "The callback URL must use https"),
    "webhook.url_internal": (
        "回调地址不能指向内网、回环或链路本地地址",
        "The callback URL must not point to an internal, loopback or link-local address",
    ),
    "webhook.url_too_long": ("URL 过长", "The URL is too long"),
    "webhook.url_unresolved": (
        "回调地址的域名无法解析",
        "The callback URL's host name cannot be resolved",
    ),
    "webhook.url_unusable": ("回调地址不可用", "The callback URL cannot be used"),
}
