"""Who may do what: roles, the principal a request acts as, permission rules and the action kit.

Below every domain: domains register their rules here and their actions use the kit; nothing here
imports a domain."""
