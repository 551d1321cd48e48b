"""The audit log's event names, one constant per kind of change: form actions and commands write them, the
dashboard shows them. The strings are stored in every row already written, so a value never changes."""

DOMAIN_ADD = "domain.add"
DOMAIN_CHANGE = "domain.change"
DOMAIN_REMOVE = "domain.remove"
DOMAIN_QUOTA_RESET = "domain.quota_reset"
DOMAIN_SELF_SERVICE = "domain.self_service"

ACCOUNT_CREATE = "account.create"
ACCOUNT_IMPORT = "account.import"
ACCOUNT_UPDATE = "account.update"
ACCOUNT_ENABLE = "account.enable"
ACCOUNT_DISABLE = "account.disable"
ACCOUNT_QUOTA = "account.quota"
ACCOUNT_PASSWORD = "account.password"  # noqa: S105 (an event name, not a secret)
ACCOUNT_REMOVE = "account.remove"
ACCOUNT_RENAME = "account.rename"
ACCOUNT_ENABLE_MAIL = "account.enable_mail"
ACCOUNT_ALIASES_ADD = "account.aliases.add"
ACCOUNT_ALIASES_REMOVE = "account.aliases.remove"
ACCOUNT_FORWARDS_ADD = "account.forwards.add"
ACCOUNT_FORWARDS_REMOVE = "account.forwards.remove"
ACCOUNT_VACATION = "account.vacation"

VALIAS_CREATE = "valias.create"
VALIAS_UPDATE = "valias.update"
VALIAS_ENABLE = "valias.enable"
VALIAS_DISABLE = "valias.disable"
VALIAS_REMOVE = "valias.remove"
VALIAS_RENAME = "valias.rename"

GROUP_MIGRATE = "group.migrate"
DIRECTORY_FIX = "directory.fix"

ROLE_GRANT = "role.grant"
ROLE_REVOKE = "role.revoke"
ROLE_CONFIRM = "role.confirm"
USER_RENAME = "user.rename"  # a user's sign-in name follows its renamed mailbox (mailadmin.auth.follow_rename)

API_TOKEN_CREATE = "api_token.create"  # noqa: S105 (an event name, not a secret)
API_TOKEN_REVOKE = "api_token.revoke"  # noqa: S105

AUDIT_PRUNE = "audit.prune"

MFA_ENROL = "mfa.enrol"
MFA_RESET = "mfa.reset"
MFA_REMOVE = "mfa.remove"
