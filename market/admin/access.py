"""Who may use the admin pages: the one check every admin view calls before it does anything."""

from __future__ import annotations

from typing import Any

from market import permissions
from market.errors import Forbidden
from market.i18n import gettext as _


def require_admin(actor: Any) -> None:
    """Users, roles, brokers' regions, the taxonomy and the audit trail are for admins alone (403)."""
    if not permissions.can_manage_users(actor):
        raise Forbidden(_("只有管理员可以管理用户。"))
