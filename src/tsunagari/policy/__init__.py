"""Per-municipality visit policy (seed 002): planned visits, rule checks, and what is due or overdue."""
