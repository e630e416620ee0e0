"""The demo staff accounts' second factor, known on purpose: `make run` prints it
so that a newcomer can try the admin in one step (scripts/run.py reads this
module without Django). Only `seed_demo` gives it to accounts (accounts.seed);
`bootstrap` creates no account. Never on a site with real people."""

# Base32, as an authenticator app takes it ("enter a setup key").
DEMO_TOTP_SECRET = "PRACTICUMDEMOSTAFFTOTPSECRET2345"  # noqa: S105 (a demo key, printed on purpose)
# Each works once per `make run` (seed_demo restores them every time it runs).
DEMO_RECOVERY_CODES = (
    "40271836",
    "59318264",
    "17640592",
    "83025714",
    "26958031",
    "71406283",
    "38592640",
    "64137925",
    "92814306",
    "05763148",
)
