"""Fixed vocabularies of the order workflow (code, 中文, English)."""

from __future__ import annotations

from market.taxonomy import Term

CONTRACT_TYPES: tuple[Term, ...] = (
    Term("develop", "技术开发", "Technology development"),
    Term("transfer", "技术转让", "Technology transfer"),
    Term("license", "技术许可", "Technology licensing"),
    Term("consult", "技术咨询", "Technical consulting"),
    Term("service", "技术服务", "Technical service"),
)

ORIGINS: tuple[Term, ...] = (
    Term("ordered", "点单", "Ordered"),
    Term("invited", "邀请", "Invitation"),
    Term("dispatched", "派单", "Dispatched"),
    Term("proposal", "科技答题", "From an answer"),
)

ORDER_STATES: tuple[Term, ...] = (
    Term("ordered", "待接单（点单）", "Ordered"),
    Term("dispatched", "待接单（派单）", "Dispatched"),
    Term("accepted", "已接单", "Accepted"),
    Term("negotiating", "洽谈中", "Negotiating"),
    Term("signed", "已签约", "Signed"),
    Term("delivered", "已交付", "Delivered"),
    Term("reviewed", "已评价", "Reviewed"),
    Term("declined", "已拒单", "Declined"),
    Term("cancelled", "已取消", "Cancelled"),
    Term("expired", "已过期", "Expired"),
)

# An invitation (origin invited) waits in state ordered, but is not a 点单: its badge says so.
INVITED_WAITING: tuple[Term, ...] = (Term("ordered", "待接单（邀请）", "Invited"),)

PROPOSAL_STATES: tuple[Term, ...] = (
    Term("submitted", "已提交", "Submitted"),
    Term("shortlisted", "入围", "Shortlisted"),
    Term("rejected", "未入选", "Rejected"),
    Term("ordered", "已转为订单", "Turned into an order"),
    Term("withdrawn", "已撤回", "Withdrawn"),
)

STATE_COLOURS = {
    "ordered": "warning",
    "dispatched": "warning",
    "accepted": "info",
    "negotiating": "primary",
    "signed": "success",
    "delivered": "success",
    "reviewed": "dark",
    "declined": "danger",
    "cancelled": "secondary",
    "expired": "secondary",
    "submitted": "warning",
    "shortlisted": "info",
    "rejected": "danger",
    "withdrawn": "secondary",
}

SIDES: tuple[Term, ...] = (
    Term("enterprise", "企业方", "Enterprise side"),
    Term("provider", "服务方", "Provider side"),
    Term("broker", "经纪人", "Broker"),
)

# States after the provider said yes: it reads the need's confidential details from then on.
ENGAGED_STATES = frozenset({"accepted", "negotiating", "signed", "delivered", "reviewed"})

# Who took a step in the audit log: a side, or the system (the expiry job).
PARTIES: tuple[Term, ...] = (*SIDES, Term("system", "系统", "System"))
