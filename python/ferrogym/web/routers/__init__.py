"""One router per dashboard area."""
