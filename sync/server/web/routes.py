"""The review pages: sign-in, the list of households received, one household, approve, return.

Every page is rendered on the server from the templates beside this file; there is no script.
Forms are plain POSTs, each carrying the session's anti-forgery token; the session cookie is
HttpOnly and SameSite=Strict (and Secure over HTTPS). Every read of a household and every
action goes to the audit log.
"""

from __future__ import annotations

import hmac
import json
import secrets
import uuid as uuidlib
from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import Any
from urllib.parse import parse_qsl, urlencode

import jinja2
from fastapi import APIRouter, Request
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from sqlalchemy import Engine, false, func, select

from forms.i18n import LANGUAGES, tr
from forms.registry import FormRegistry
from sync.server import audit, review, supervisors
from sync.server.db import feed, households, reading
from sync.server.ratelimit import RateLimiter
from sync.server.supervisors import Session
from sync.server.web import household_view
from sync.server.web.household_view import local_time

PREFIX = "/review"
COOKIE = "ls_review_session"
FORM_COOKIE = "ls_review_form"  # the sign-in forms' anti-forgery value, before there is a session
LANG_COOKIE = "ls_review_lang"
PAGE_SIZE = 50
MAX_FORM = 512 * 1024
MAX_COMMENT = 2000
STATES = ("new", "returned", "resubmitted", "approved")
HERE = Path(__file__).parent
HEADERS = {
    # Nothing runs in these pages and nothing is loaded from elsewhere.
    "Content-Security-Policy": "default-src 'none'; style-src 'self'; img-src 'self'; form-action 'self'; "
                               "frame-ancestors 'none'; base-uri 'none'",
    "X-Content-Type-Options": "nosniff",
    "X-Frame-Options": "DENY",
    "Referrer-Policy": "no-referrer",
    "Cache-Control": "no-store",  # households' answers stay out of shared browser caches
}


class Refused(Exception):
    """Show an error page with this status and message (messages-review.yaml)."""

    def __init__(self, status: int, key: str, **params: object):
        super().__init__(key)
        self.status, self.key, self.params = status, key, params


class Redirect(Exception):
    def __init__(self, url: str):
        super().__init__(url)
        self.url = url


def router(engine: Engine, forms: FormRegistry) -> APIRouter:
    """The review pages under /review, for the app of create_app."""
    r = APIRouter(prefix=PREFIX, include_in_schema=False)
    templates = jinja2.Environment(loader=jinja2.FileSystemLoader(HERE / "templates"), autoescape=True,
                                   undefined=jinja2.StrictUndefined, trim_blocks=True, lstrip_blocks=True)
    css = (HERE / "static" / "review.css").read_bytes()
    # Per client address, beside the per-username limit of supervisors.sign_in: a one-time code
    # typed here must be as hard to guess as through the laptops' /enroll.
    sign_in_limit, code_limit = RateLimiter(30, 600), RateLimiter(10, 600)

    # -- plumbing ------------------------------------------------------------------------------
    def lang_of(request: Request) -> str:
        lang = request.cookies.get(LANG_COOKIE, "")
        return lang if lang in LANGUAGES else "vi"  # Vietnamese unless the supervisor chose English

    def address(request: Request) -> str | None:
        return request.client.host if request.client else None

    def render(request: Request, template: str, status: int = 200, session: Session | None = None,
               **context: Any) -> HTMLResponse:
        lang = lang_of(request)
        here = request.url.path + (f"?{request.url.query}" if request.url.query else "")
        body = templates.get_template(template).render(
            t=lambda key, **params: tr(key, lang, **params), lang=lang, session=session, here=here,
            languages=[(code, f"{PREFIX}/lang/{code}?{urlencode({'next': here})}") for code in LANGUAGES],
            local_time=local_time, **context)
        return HTMLResponse(body, status_code=status, headers=HEADERS)

    def set_cookie(response: Response, request: Request, name: str, value: str, max_age: int | None = None) -> None:
        response.set_cookie(name, value, max_age=max_age, path=PREFIX, httponly=True, samesite="strict",
                            secure=request.url.scheme == "https")

    def signed_in(request: Request) -> Session:
        session = supervisors.session_for(engine, request.cookies.get(COOKIE))
        if session is None:
            target = request.url.path if request.method == "GET" else f"{PREFIX}/"
            query = f"?{request.url.query}" if request.url.query and request.method == "GET" else ""
            raise Redirect(f"{PREFIX}/login?{urlencode({'next': target + query})}")
        return session

    def check_csrf(request: Request, session: Session, form: dict[str, str]) -> None:
        if not hmac.compare_digest(form.get("csrf", "").encode(), session.csrf.encode()):
            audit.record(engine, session.supervisor.username, "review form refused", detail={"reason": "form token"},
                         address=address(request))
            raise Refused(403, "review_form_expired")

    def household_row(request: Request, session: Session) -> Any:
        try:
            uuid = str(uuidlib.UUID(request.path_params["uuid"]))
        except ValueError:
            raise Refused(404, "review_not_found") from None
        with reading(engine) as conn:
            row = conn.execute(select(households).where(households.c.uuid == uuid)).first()
        if row is None or row.deleted or row.commune_code not in session.supervisor.communes:
            # Another commune's household answers exactly as one that does not exist.
            audit.record(engine, session.supervisor.username, "review view refused", uuid,
                         detail={"reason": "unknown, deleted or another commune"}, address=address(request))
            raise Refused(404, "review_not_found")
        return row

    def error_page(request: Request, exc: Refused) -> HTMLResponse:
        session = supervisors.session_for(engine, request.cookies.get(COOKIE))
        return render(request, "error.html", exc.status, session, message=tr(exc.key, lang_of(request), **exc.params))

    Handler = Callable[[Request, dict[str, str]], Response]

    def page(path: str, method: str = "GET") -> Callable[[Handler], Handler]:
        def register(handler: Handler) -> Handler:
            async def run(request: Request) -> Response:
                try:
                    form = await _read_form(request) if method == "POST" else {}
                    return await run_in_threadpool(handler, request, form)
                except Redirect as exc:
                    return RedirectResponse(exc.url, status_code=303, headers=HEADERS)
                except Refused as exc:
                    return await run_in_threadpool(error_page, request, exc)

            # Not functools.wraps: FastAPI would read the handler's parameters as the request's.
            run.__name__ = handler.__name__
            endpoint: Callable[[Request], Awaitable[Response]] = run
            r.add_api_route(path, endpoint, methods=[method], response_class=HTMLResponse)
            return handler
        return register

    # -- signing in and out --------------------------------------------------------------------
    def form_token(request: Request) -> str:
        """The value the sign-in forms carry back: also set as a cookie that only this site sees."""
        return request.cookies.get(FORM_COOKIE) or secrets.token_urlsafe(24)

    def sign_in_form(request: Request, template: str, status: int = 200, **context: Any) -> HTMLResponse:
        token = form_token(request)
        response = render(request, template, status, csrf=token, next=_safe_next(request.query_params.get("next")),
                          **context)
        set_cookie(response, request, FORM_COOKIE, token)
        return response

    def check_form_token(request: Request, form: dict[str, str]) -> None:
        cookie = request.cookies.get(FORM_COOKIE, "")
        if not cookie or not hmac.compare_digest(form.get("csrf", "").encode(), cookie.encode()):
            audit.record(engine, form.get("username", "-")[:64] or "-", "review form refused",
                         detail={"reason": "sign-in form token"}, address=address(request))
            raise Refused(403, "review_form_expired")

    def start_session(request: Request, token: str, to: str | None) -> Response:
        response = RedirectResponse(_safe_next(to), status_code=303, headers=HEADERS)
        set_cookie(response, request, COOKIE, token)
        response.delete_cookie(FORM_COOKIE, path=PREFIX, httponly=True, samesite="strict")
        return response

    @page("/login")
    def login_page(request: Request, form: dict[str, str]) -> Response:
        if supervisors.session_for(engine, request.cookies.get(COOKIE)) is not None:
            raise Redirect(_safe_next(request.query_params.get("next")))
        return sign_in_form(request, "login.html", username="", error=None,
                            notice="review_signed_out" if request.query_params.get("bye") else None)

    def limited(request: Request, limit: RateLimiter) -> None:
        wait = limit.check(address(request) or "-")
        if wait:
            audit.record(engine, "-", "review form refused", detail={"reason": "too many attempts"}, address=address(request))
            raise Refused(429, "review_too_many_attempts", minutes=max(1, round(wait / 60)))

    def refusal(request: Request, exc: supervisors.SignInError) -> str:
        return tr(exc.key, lang_of(request), n=supervisors.MIN_PASSWORD, minutes=supervisors.FAILURE_MINUTES)

    @page("/login", "POST")
    def login(request: Request, form: dict[str, str]) -> Response:
        check_form_token(request, form)
        limited(request, sign_in_limit)
        username = form.get("username", "").strip()
        try:
            token, _session = supervisors.sign_in(engine, username, form.get("password", ""), address=address(request))
        except supervisors.SignInError as exc:
            status = 429 if exc.key == "review_too_many_attempts" else 401
            return sign_in_form(request, "login.html", status, username=username, error=refusal(request, exc), notice=None)
        return start_session(request, token, form.get("next"))

    @page("/activate")
    def activate_page(request: Request, form: dict[str, str]) -> Response:
        return sign_in_form(request, "activate.html", username="", error=None, min_length=supervisors.MIN_PASSWORD)

    @page("/activate", "POST")
    def activate(request: Request, form: dict[str, str]) -> Response:
        check_form_token(request, form)
        limited(request, code_limit)
        username, password = form.get("username", "").strip(), form.get("password", "")
        try:
            supervisors.activate(engine, username, form.get("code", ""), password, form.get("again", ""),
                                 address=address(request))
            token, _session = supervisors.sign_in(engine, username, password, address=address(request))
        except supervisors.SignInError as exc:
            return sign_in_form(request, "activate.html", 400, username=username, error=refusal(request, exc),
                                min_length=supervisors.MIN_PASSWORD)
        return start_session(request, token, f"{PREFIX}/")

    @page("/logout", "POST")
    def logout(request: Request, form: dict[str, str]) -> Response:
        session = signed_in(request)
        check_csrf(request, session, form)
        supervisors.sign_out(engine, session)
        audit.record(engine, session.supervisor.username, "review sign-out", session.supervisor.username,
                     address=address(request))
        response = RedirectResponse(f"{PREFIX}/login?bye=1", status_code=303, headers=HEADERS)
        response.delete_cookie(COOKIE, path=PREFIX, httponly=True, samesite="strict")
        return response

    @page("/lang/{code}")
    def language(request: Request, form: dict[str, str]) -> Response:
        code = request.path_params["code"]
        response = RedirectResponse(_safe_next(request.query_params.get("next")), status_code=303, headers=HEADERS)
        if code in LANGUAGES:
            set_cookie(response, request, LANG_COOKIE, code, max_age=400 * 24 * 3600)
        return response

    @r.get("/static/review.css")
    def stylesheet() -> Response:
        return Response(css, media_type="text/css; charset=utf-8",
                        headers={"Cache-Control": "max-age=3600", "X-Content-Type-Options": "nosniff"})

    # -- the list ------------------------------------------------------------------------------
    @page("/")
    def list_page(request: Request, form: dict[str, str]) -> Response:
        session = signed_in(request)
        lang = lang_of(request)
        communes = session.supervisor.communes
        q = request.query_params
        commune = q.get("commune", "") if q.get("commune") in communes else ""
        state = q.get("state", "") if q.get("state") in STATES else ""
        warnings = q.get("warnings") == "1"
        page_no = int(q["page"]) if q.get("page", "").isdigit() and 0 < int(q["page"]) < 10**6 else 1
        scope = [households.c.commune_code.in_([commune] if commune else communes), households.c.deleted == false()]
        if warnings:
            scope.append(households.c.warning_count > 0)
        chosen = list(scope)
        if state:
            chosen.append(households.c.review_state.is_(None) if state == "new" else households.c.review_state == state)
        with reading(engine) as conn:
            counts = {s or "new": n for s, n in conn.execute(
                select(households.c.review_state, func.count()).where(*scope).group_by(households.c.review_state))}
            total = conn.execute(select(func.count()).select_from(households).where(*chosen)).scalar() or 0
            pages = max(1, -(-total // PAGE_SIZE))
            page_no = min(page_no, pages)
            rows = conn.execute(
                select(households.c.uuid, households.c.commune_code, households.c.household_code, households.c.warning_count,
                       households.c.review_state, households.c.updated_at, households.c.form_id, households.c.form_version,
                       households.c.data)
                .where(*chosen).order_by(households.c.updated_at.desc(), households.c.uuid)
                .limit(PAGE_SIZE).offset((page_no - 1) * PAGE_SIZE)).fetchall()
        items = [_list_item(forms, row, lang) for row in rows]
        audit.record(engine, session.supervisor.username, "review list", address=address(request),
                     detail={"commune": commune or None, "state": state or None, "warnings": warnings, "page": page_no,
                             "shown": len(items)})
        filters = {k: v for k, v in (("commune", commune), ("state", state), ("warnings", "1" if warnings else "")) if v}

        def page_url(n: int) -> str:
            return f"{PREFIX}/?{urlencode({**filters, 'page': n})}"

        current = forms.current()
        commune_names = [(c, household_view.code_label(current, current.summary.get("commune_code", "commune_code"), c, lang))
                         for c in communes]
        return render(request, "list.html", session=session, items=items, total=total, page_no=page_no, pages=pages,
                      previous=page_url(page_no - 1) if page_no > 1 else None,
                      following=page_url(page_no + 1) if page_no < pages else None,
                      commune=commune, state=state, warnings=warnings, states=STATES, counts=counts,
                      all_count=sum(counts.values()), communes=commune_names)

    # -- one household -------------------------------------------------------------------------
    def household_page(request: Request, session: Session, row: Any, *, status: int = 200, error: str | None = None,
                       typed: dict[str, str] | None = None, typed_comment: str = "") -> HTMLResponse:
        lang = lang_of(request)
        definition = forms.get(row.form_id, row.form_version)
        record = json.loads(row.data)
        evaluation = forms.engine(definition).evaluate(record)
        history = review.history(engine, row.uuid)
        last_return = next((h for h in reversed(history) if h["action"] == "returned"), None)
        current_round = row.review_state in ("returned", "resubmitted") and last_return is not None
        comments = ((last_return or {}).get("comment") or {}).get("fields", {}) if current_round else {}
        before = _as_returned(engine, row.uuid) if row.review_state == "resubmitted" else None
        view = household_view.build(definition, record, evaluation, lang, comments=comments, before=before, typed=typed)
        entries = [_history_entry(definition, record, h, lang) for h in history]
        audit.record(engine, session.supervisor.username, "review view", row.uuid, address=address(request),
                     detail={"revision": row.server_revision, "state": row.review_state or "new"})
        summary_field = definition.summary.get("commune_code", "commune_code")
        return render(
            request, "household.html", status, session=session, row=row, view=view, history=entries,
            state=row.review_state or "new", error=tr(error, lang) if error else None, typed_comment=typed_comment,
            household_comment=((last_return or {}).get("comment") or {}).get("household", "") if current_round else "",
            last_round=last_return["round"] if current_round and last_return else None,
            commune_name=household_view.code_label(definition, summary_field, row.commune_code, lang),
            head=household_view.summary_value(definition, evaluation, "head_name"),
            village=household_view.summary_value(definition, evaluation, "village"),
            warnings=sum(1 for p in view.problems if p.kind == "warning"),
            can_approve=row.review_state in (None, "resubmitted"), can_return=row.review_state != "returned",
            done=request.query_params.get("done") if request.query_params.get("done") in ("approved", "returned") else None,
            form_title=definition.title.text(lang))

    @page("/households/{uuid}")
    def household(request: Request, form: dict[str, str]) -> Response:
        session = signed_in(request)
        return household_page(request, session, household_row(request, session))

    def check_unchanged(row: Any, form: dict[str, str]) -> None:
        if form.get("revision") != str(row.server_revision):
            raise Refused(409, "review_changed_meanwhile", household=row.household_code or row.uuid[:8])

    @page("/households/{uuid}/approve", "POST")
    def approve(request: Request, form: dict[str, str]) -> Response:
        session = signed_in(request)
        check_csrf(request, session, form)
        row = household_row(request, session)
        check_unchanged(row, form)
        if row.review_state not in (None, "resubmitted"):
            raise Refused(409, "review_cannot_approve")
        review.approve(engine, row.uuid, by=session.supervisor.signature)  # with its audit entry
        raise Redirect(f"{PREFIX}/households/{row.uuid}?done=approved")

    @page("/households/{uuid}/return", "POST")
    def return_(request: Request, form: dict[str, str]) -> Response:
        session = signed_in(request)
        check_csrf(request, session, form)
        row = household_row(request, session)
        check_unchanged(row, form)
        if row.review_state == "returned":
            raise Refused(409, "review_cannot_return")
        comment = form.get("comment", "").strip()
        fields = {k[2:]: v.strip() for k, v in form.items() if k.startswith("c:") and v.strip()}
        if len(comment) > MAX_COMMENT or any(len(v) > MAX_COMMENT for v in fields.values()):
            return household_page(request, session, row, status=400, error="review_comment_too_long", typed=fields,
                                  typed_comment=comment)
        try:
            # return_household writes the audit entry, in the same transaction as the return
            review.return_household(engine, forms, row.uuid, comment, by=session.supervisor.signature, fields=fields)
        except review.ReviewError:
            key = "review_say_what" if not comment and not fields else "review_unknown_question"
            return household_page(request, session, row, status=400, error=key, typed=fields, typed_comment=comment)
        raise Redirect(f"{PREFIX}/households/{row.uuid}?done=returned")

    @r.get("")
    def root() -> Response:
        return RedirectResponse(f"{PREFIX}/", status_code=303)

    return r


async def _read_form(request: Request) -> dict[str, str]:
    """A urlencoded form (what a page's <form method=post> sends), first value of each name."""
    declared = request.headers.get("content-length", "")
    if declared.isdigit() and int(declared) > MAX_FORM:
        raise Refused(413, "review_form_too_large")
    body = bytearray()
    async for chunk in request.stream():
        body += chunk
        if len(body) > MAX_FORM:
            raise Refused(413, "review_form_too_large")
    kind = request.headers.get("content-type", "").split(";")[0].strip().lower()
    if body and kind != "application/x-www-form-urlencoded":
        raise Refused(415, "review_form_expired")
    try:
        pairs = parse_qsl(body.decode("utf-8"), keep_blank_values=True, max_num_fields=5000)
    except (UnicodeDecodeError, ValueError):
        raise Refused(400, "review_form_expired") from None
    form: dict[str, str] = {}
    for key, value in pairs:
        form.setdefault(key, value.replace("\r\n", "\n"))
    return form


def _safe_next(target: str | None) -> str:
    """Only a page of the review pages: a link must not send a signed-in supervisor elsewhere."""
    if target and target.startswith(f"{PREFIX}/") and not target.startswith("//") and "\\" not in target:
        return target
    return f"{PREFIX}/"


def _list_item(forms: FormRegistry, row: Any, lang: str) -> dict[str, Any]:
    definition = forms.get(row.form_id, row.form_version)
    record = json.loads(row.data)
    evaluation = forms.engine(definition).evaluate(record)
    roster = definition.rosters[0].id if definition.rosters else ""
    return {"uuid": row.uuid, "commune": row.commune_code,
            "commune_name": household_view.code_label(definition, definition.summary.get("commune_code", "commune_code"),
                                                      row.commune_code, lang),
            "village": household_view.summary_value(definition, evaluation, "village"),
            "code": row.household_code or "", "head": household_view.summary_value(definition, evaluation, "head_name"),
            "members": len(record.get(roster) or []), "warnings": row.warning_count, "state": row.review_state or "new",
            "at": row.updated_at}


def _as_returned(engine: Engine, uuid: str) -> dict[str, Any] | None:
    """The household as the province last returned it (what the laptop received)."""
    with reading(engine) as conn:
        payload = conn.execute(select(feed.c.payload).where(feed.c.kind == "returned", feed.c.uuid == uuid)
                               .order_by(feed.c.seq.desc()).limit(1)).scalar()
    return json.loads(payload) if payload else None


def _history_entry(definition: Any, record: dict[str, Any], entry: dict[str, Any], lang: str) -> dict[str, Any]:
    comment = entry.get("comment") or {}
    fields = [(household_view.ref_label(definition, record, ref, lang), household_view.anchor(ref), text)
              for ref, text in (comment.get("fields") or {}).items()]
    return {"round": entry["round"], "action": entry["action"], "by": entry["by"], "at": entry["at"],
            "household": comment.get("household") or "", "fields": fields}
