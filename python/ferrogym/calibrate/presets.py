"""Column names of common help-desk exports, and the value names they use.

Each :class:`Preset` maps ticket-table columns (:data:`~ferrogym.calibrate.tickets.SCHEMA`)
to the column names of one product's standard ticket export; docs/calibrate.md
says where each comes from. A column the product's export does not have is
left out (the ticket table gets nulls there, and the report says what that
prevents).
"""

from __future__ import annotations

from dataclasses import dataclass

from ferrogym.errors import ConfigError

#: How ``effort_minutes`` is written in the input.
EFFORT_UNITS: tuple[str, ...] = ("minutes", "seconds", "hours", "hh:mm")


@dataclass(frozen=True)
class Preset:
    """One export layout: ticket-table column -> the export's column name.

    Attributes:
        name: the ``--preset`` name.
        columns: ticket-table column -> export column.
        effort_unit: how the effort column is written (one of :data:`EFFORT_UNITS`).
        time_format: a ``strftime`` format of the export's timestamps, or
            ``None`` to infer ISO 8601.
        summary: one line: the export this layout is.
    """

    name: str
    columns: dict[str, str]
    effort_unit: str = "minutes"
    time_format: str | None = None
    summary: str = ""


PRESETS: dict[str, Preset] = {
    p.name: p
    for p in (
        Preset(
            "zendesk",
            {
                "ticket_id": "Id",
                "created": "Created at",
                "assigned": "Initially assigned at",
                "resolved": "Solved at",
                "assignee": "Assignee",
                "type": "Ticket type",
                "priority": "Priority",
            },
            summary="Zendesk Support CSV ticket export (Reporting > Export)",
        ),
        Preset(
            "jira-sm",
            {
                "ticket_id": "Issue key",
                "created": "Created",
                "resolved": "Resolved",
                "assignee": "Assignee",
                "type": "Issue Type",
                "priority": "Priority",
                "effort_minutes": "Time Spent",
            },
            effort_unit="seconds",
            time_format="%d/%b/%y %I:%M %p",
            summary="Jira Service Management issue search export (Export > CSV, all fields)",
        ),
        Preset(
            "freshdesk",
            {
                "ticket_id": "Ticket ID",
                "created": "Created time",
                "assigned": "Initial response time",
                "resolved": "Resolved time",
                "assignee": "Agent",
                "type": "Type",
                "priority": "Priority",
                "effort_minutes": "Time tracked",
            },
            effort_unit="hh:mm",
            summary="Freshdesk ticket export (Tickets > Export, CSV)",
        ),
        Preset(
            "servicenow",
            {
                "ticket_id": "number",
                "created": "opened_at",
                "resolved": "resolved_at",
                "assignee": "assigned_to",
                "type": "category",
                "priority": "priority",
            },
            summary="ServiceNow incident list export with field names (incident.list, Export > CSV)",
        ),
    )
}

#: Export value (lower case, stripped) -> TicketRouting priority, over every preset's vocabulary.
PRIORITY_NAMES: dict[str, str] = {
    **dict.fromkeys(("critical", "urgent", "highest", "blocker", "p1", "1", "1 - critical", "sev1"), "critical"),
    **dict.fromkeys(("high", "major", "p2", "2", "2 - high", "sev2"), "high"),
    **dict.fromkeys(("medium", "normal", "moderate", "p3", "3", "3 - moderate", "sev3"), "medium"),
    **dict.fromkeys(
        ("low", "lowest", "minor", "trivial", "planning", "p4", "p5", "4", "5", "4 - low", "5 - planning", "sev4"),
        "low",
    ),
}
#: Export value (lower case, stripped) -> TicketRouting customer tier.
TIER_NAMES: dict[str, str] = {
    **dict.fromkeys(("enterprise", "premium", "platinum", "gold"), "enterprise"),
    **dict.fromkeys(("business", "pro", "professional", "silver"), "business"),
    **dict.fromkeys(("standard", "basic", "free", "starter", "bronze"), "standard"),
}


def preset(name: str) -> Preset:
    """The preset called ``name``.

    Raises:
        ConfigError: no preset has that name (the message lists them).
    """
    if name not in PRESETS:
        raise ConfigError(f"--preset {name!r}: expected one of {list(PRESETS)}")
    return PRESETS[name]
