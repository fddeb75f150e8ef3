"""Baseline policies and evaluation helpers for ferrogym's envs."""
