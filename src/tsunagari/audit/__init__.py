"""The audit trail: who changed which record, when, through what, and what it was before and after."""
