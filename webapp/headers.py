"""Headers every response of the site carries, whether Flask or the SPARQL lane answers."""

from __future__ import annotations

from flask import has_request_context, request

# No inline scripts anywhere (all JavaScript is in webapp/static/js); styles may still be inline.
CONTENT_SECURITY_POLICY = (
    "default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; img-src 'self' data:; "
    "frame-ancestors 'self'; form-action 'self'; base-uri 'none'; object-src 'none'"
)
# The site uses none of these browser features; no page (nor anything framed in one) may ask for them.
PERMISSIONS_POLICY = (
    "accelerometer=(), camera=(), geolocation=(), gyroscope=(), magnetometer=(), microphone=(), "
    "payment=(), usb=(), interest-cohort=()"
)
SECURITY_HEADERS = {
    "Content-Security-Policy": CONTENT_SECURITY_POLICY,
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "same-origin",
    "X-Frame-Options": "SAMEORIGIN",  # the same as frame-ancestors 'self' (/beheer: DENY and 'none')
    "Permissions-Policy": PERMISSIONS_POLICY,
}
HSTS = "max-age=31536000"  # a year; not includeSubDomains: other hosts of the domain are not ours to decide


def over_https(environ: dict) -> bool:
    """The client used HTTPS: to this server, or to a proxy in front that says so. A browser ignores
    HSTS received over plain HTTP, so a forged proxy header cannot do harm here."""
    if environ.get("wsgi.url_scheme") == "https":
        return True
    if environ.get("HTTP_X_FORWARDED_PROTO", "").split(",")[0].strip().lower() == "https":
        return True
    return "proto=https" in environ.get("HTTP_FORWARDED", "").lower().replace(" ", "")


def security_headers(response, environ: dict | None = None):
    for name, value in SECURITY_HEADERS.items():
        response.headers.setdefault(name, value)
    if environ is None and has_request_context():
        environ = request.environ
    if environ is not None and over_https(environ):
        response.headers.setdefault("Strict-Transport-Security", HSTS)
    return response
