"""The built-in sign-in page of the local provider's code flow (no JavaScript, no assets)."""

from __future__ import annotations

from html import escape

from cschat.auth.csrf import origin_of

_PAGE = """<!doctype html>
<html lang="en"><head><meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>Sign in · cschat</title>
<style>
body{{font-family:system-ui,sans-serif;background:#f4f5f7;display:flex;justify-content:center;
margin:0;padding-top:12vh}}
form{{background:#fff;padding:2rem;border-radius:8px;box-shadow:0 1px 4px #0002;width:20rem}}
h1{{font-size:1.3rem;margin:0 0 1rem}} label{{display:block;margin:.8rem 0 .2rem}}
input{{width:100%;box-sizing:border-box;padding:.5rem;font-size:1rem}}
button{{margin-top:1.2rem;width:100%;padding:.6rem;font-size:1rem;cursor:pointer}}
.error{{color:#b00020;margin:.5rem 0}}
</style></head>
<body><form method="post" action="/auth/local/authorize">
<h1>Sign in to cschat</h1>
{error}
<label for="email">Email</label>
<input id="email" name="email" type="email" autocomplete="username" required value="{email}">
<label for="password">Password</label>
<input id="password" name="password" type="password" autocomplete="current-password" required>
<input type="hidden" name="redirect_uri" value="{redirect_uri}">
<input type="hidden" name="state" value="{state}">
<button type="submit">Sign in</button>
</form></body></html>
"""


def sign_in_page(*, redirect_uri: str, state: str, email: str = "", error: str = "") -> str:
    """The form; every value is HTML-escaped."""
    return _PAGE.format(
        error=f'<p class="error" role="alert">{escape(error)}</p>' if error else "",
        email=escape(email),
        redirect_uri=escape(redirect_uri),
        state=escape(state),
    )


def page_headers(redirect_uri: str) -> dict[str, str]:
    """No framing, no scripts; the form may post here and be redirected to the front end."""
    target = origin_of(redirect_uri) or ""
    return {
        "Content-Security-Policy": (
            "default-src 'none'; style-src 'unsafe-inline'; "
            f"form-action 'self' {target}; frame-ancestors 'none'"
        ).strip(),
        "X-Frame-Options": "DENY",
        "Cache-Control": "no-store",
        "Referrer-Policy": "same-origin",
    }
