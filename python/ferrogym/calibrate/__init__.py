"""Calibrate TicketRouting from a team's own ticket history, and replay that history.

Reads a help-desk ticket export or a process-mining event log into one
normalised ticket table, fits a TicketRouting scenario to it, reports how well
the fit reproduces what the team saw, and replays the exact tickets under any
routing policy.
"""
